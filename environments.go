package main

import (
	"fmt"
	"slices"
)

// StackID names the stack without environments: cdktf.out/stacks/<StackID>
// and the state file.
const StackID = "kinesis-monitoring"

// StackID is the stack of this configuration: kinesis-monitoring, or
// kinesis-monitoring-<environment>.
func (c Config) StackID() string {
	if c.Environment == "" {
		return StackID
	}
	return StackID + "-" + c.Environment
}

// StatePath is the local state file, relative to the stack directory
// Terraform runs in (cdktf.out/stacks/<stack>), so the state lands in the
// project directory as with cdktf's default, without writing the checkout's
// absolute path into the synthesized JSON.
func (c Config) StatePath() string { return "../../../terraform." + c.StackID() + ".tfstate" }

// uniqueName is a name AWS keeps unique within a scope: a region of an
// account, or the whole account.
type uniqueName struct {
	kind  string // "stream", "alarm", "SNS topic", "dashboard", "S3 state object"
	scope string // the region, "the account" or the bucket
	name  string
	key   string // the setting that decides it
}

// names lists what must be unique across the environments of one app.
func (c Config) names() []uniqueName {
	names := []uniqueName{
		{"stream", c.Region, c.StreamName, "streamName"},
		{"alarm", c.Region, c.AlarmName, "alarmName"},
	}
	for _, name := range recommendedAlarmNames(c) {
		names = append(names, uniqueName{"alarm", c.Region, name, "streamName"})
	}
	if len(c.AlarmEmails) > 0 {
		names = append(names, uniqueName{"SNS topic", c.Region, alertTopicName(c), "streamName"})
	}
	if c.Dashboard {
		// Dashboards are global: one name space for all regions of an account.
		names = append(names, uniqueName{"dashboard", "the account", dashboardName(c), "streamName"})
	}
	if c.StateBucket != "" {
		names = append(names, uniqueName{"S3 state object", "bucket " + c.StateBucket, c.StateKey, "stateKey"})
	}
	return names
}

// collisions finds names that two environments (or two alarms of one) would
// both create: the second deploy would fail, or take over the first one's
// resource (PutMetricAlarm and PutDashboard overwrite).
func collisions(configs []Config) []Problem {
	type owner struct {
		env string
		key string
	}
	seen := map[uniqueName]owner{}
	var problems []Problem
	for _, c := range configs {
		for _, n := range c.names() {
			id := uniqueName{kind: n.kind, scope: n.scope, name: n.name}
			first, taken := seen[id]
			if !taken {
				seen[id] = owner{c.Environment, n.key}
				continue
			}
			var reason, allowed string
			key := n.key
			if first.env == c.Environment {
				key = "alarmName"
				reason = fmt.Sprintf("gives two alarms the name %q in %s", n.name, n.scope)
				allowed = "an alarmName that differs from the recommended alarms' names (<streamName>-iterator-age, …)"
			} else {
				reason = fmt.Sprintf("makes environments %s and %s both use the %s %q in %s", first.env, c.Environment, n.kind, n.name, n.scope)
				switch n.kind {
				case "dashboard":
					allowed = fmt.Sprintf("dashboard names of their own for each environment (dashboards are global in an account): set streamName in environments.%s", c.Environment)
				case "S3 state object":
					allowed = fmt.Sprintf("a state of its own for each environment: leave stateKey out (default %s/<environment>/terraform.tfstate) or set it in environments.%s", StackID, c.Environment)
				default:
					allowed = fmt.Sprintf("%s names of their own for each environment: set %s in environments.%s (or put the environments in different regions)", n.kind, n.key, c.Environment)
				}
			}
			if c.Environment != "" {
				key = EnvironmentsKey + "." + c.Environment + "." + key
			}
			problems = append(problems, Problem{key, echo(n.name), reason, allowed})
		}
	}
	return slices.CompactFunc(problems, func(a, b Problem) bool { return a == b })
}
