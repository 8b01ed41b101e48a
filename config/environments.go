package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/xfusion/kinesis-monitoring/alarms"
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
	var names []uniqueName
	if c.CreateStream {
		names = append(names, uniqueName{"stream", c.Region, c.StreamName, "streamName"})
	}
	for _, a := range c.StreamAlarms() {
		key := "streamName" // the recommended alarms are named after the stream
		switch {
		case a.ID == alarms.WriteThrottleID:
			key = "alarmName"
		case len(a.Dimensions) > 1:
			key = "consumers"
		}
		names = append(names, uniqueName{"alarm", c.Region, a.Name, key})
	}
	for _, w := range c.Watched {
		for _, a := range w.Alarms() {
			names = append(names, uniqueName{"alarm", c.Region, a.Name, "watchStreams." + w.Name})
		}
	}
	for _, a := range c.QueryAlarms() {
		names = append(names, uniqueName{"alarm", c.Region, a.Name, "watchAllStreams"})
	}
	topicKey := "streamName"
	if !c.CreateStream {
		topicKey = "alarmEmails"
	}
	if len(c.AlarmEmails) > 0 {
		names = append(names, uniqueName{"SNS topic", c.Region, c.AlertTopicName(), topicKey})
	}
	// Dashboards are global: one name space for all regions of an account.
	if c.Dashboard && c.CreateStream {
		names = append(names, uniqueName{"dashboard", "the account", c.DashboardName(), "streamName"})
	}
	if c.Dashboard {
		for _, name := range c.EstateDashboardNames() {
			names = append(names, uniqueName{"dashboard", "the account", name, "watchStreams"})
		}
		if c.WatchAllStreams.Enabled {
			names = append(names, uniqueName{"dashboard", "the account", c.AllStreamsDashboardName(), "watchAllStreams"})
		}
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
				reason = fmt.Sprintf("gives two %ss the name %q in %s", n.kind, n.name, n.scope)
				switch {
				case n.kind == "dashboard":
					key = "streamName"
					allowed = fmt.Sprintf("a streamName whose dashboard is not one the stack names itself (%s-estate-<n>, %s)", c.StackID(), c.AllStreamsDashboardName())
				case first.key == "alarmName" || key == "alarmName":
					key = "alarmName"
					allowed = "an alarmName that differs from the names of the other alarms (<streamName>-iterator-age, …, <watched stream>-write-throttled)"
				default:
					allowed = "names that differ: a stream's alarms are named <stream>-write-throttled (a watched one's), <stream>-iterator-age and the like, <stream>-<consumer>-millis-behind-latest and the like (docs/watching-an-estate.md)"
				}
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

// EnvironmentsKey holds the environments in the context.
const EnvironmentsKey = "environments"

// environmentName: short, as it becomes part of the stack name, the state
// file and the default S3 state key.
var environmentName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)

const environmentNameAllowed = "1-20 characters of a-z 0-9 -, starting with a letter"

// FromContext builds the configurations the context asks for: one per
// environment (sorted by name) under "environments", else the one of the
// top-level settings. Every problem is reported at once in a *Error.
func FromContext(ctx map[string]any) ([]Config, error) {
	shared := maps.Clone(ctx)
	delete(shared, EnvironmentsKey)
	base, v := decode(Default(), shared, "")
	if _, ok := ctx[EnvironmentsKey]; !ok {
		base.validate(v)
		base.Watched = base.watched(v)
		if len(v.problems) == 0 {
			v.problems = append(collisions([]Config{base}), queryQuota([]Config{base})...)
		}
		if len(v.problems) > 0 {
			return nil, newError(v.problems)
		}
		return []Config{base.withModeDefaults(shared).normalized()}, nil
	}
	problems := v.problems
	// A problem with a shared setting (one the environment does not set)
	// is reported once, by its own key, when every environment has it, and
	// per environment when only some do (a shared topic in another
	// environment's region, say).
	type sharedProblem struct {
		problem Problem // without the environment
		envs    []Problem
	}
	var sharedProblems []*sharedProblem

	envs, ok := ctx[EnvironmentsKey].(map[string]any)
	if !ok || len(envs) == 0 {
		problems = append(problems, Problem{EnvironmentsKey, echo(ctx[EnvironmentsKey]), "is not an object of environments",
			`an object of one or more environments, {"<name>": {<settings>}}; names of ` + environmentNameAllowed})
		return nil, newError(problems)
	}
	var configs []Config
	for _, name := range slices.Sorted(maps.Keys(envs)) {
		prefix := EnvironmentsKey + "." + name + "."
		if !environmentName.MatchString(name) {
			problems = append(problems, Problem{EnvironmentsKey + "." + name, echo(name), "is not an environment name", environmentNameAllowed})
			continue
		}
		own, isObject := envs[name].(map[string]any)
		if !isObject {
			problems = append(problems, Problem{strings.TrimSuffix(prefix, "."), echo(envs[name]), "is not an object of settings",
				`an object of settings such as {"region": "eu-west-1"}`})
			continue
		}
		merged := maps.Clone(shared)
		maps.Copy(merged, own)
		env := base
		if _, set := merged["stateKey"]; !set {
			env.StateKey = StackID + "/" + name + "/terraform.tfstate"
		}
		env.Environment = name
		env, ev := decode(env, own, prefix)
		ev.raw = merged
		env.validate(ev)
		env.Watched = env.watched(ev)
		for _, p := range ev.problems {
			key := strings.TrimPrefix(p.Key, prefix)
			if root, _, _ := strings.Cut(key, "."); ev.local[root] {
				problems = append(problems, p)
				continue
			}
			plain := p
			plain.Key = key
			i := slices.IndexFunc(sharedProblems, func(sp *sharedProblem) bool { return sp.problem == plain })
			if i < 0 {
				sharedProblems = append(sharedProblems, &sharedProblem{problem: plain})
				i = len(sharedProblems) - 1
			}
			sharedProblems[i].envs = append(sharedProblems[i].envs, p)
		}
		configs = append(configs, env.withModeDefaults(merged).normalized())
	}
	for _, sp := range sharedProblems {
		if len(sp.envs) == len(configs) {
			problems = append(problems, sp.problem)
		} else {
			problems = append(problems, sp.envs...)
		}
	}
	if len(problems) == 0 {
		problems = append(collisions(configs), queryQuota(configs)...)
	}
	if len(problems) > 0 {
		return nil, newError(problems)
	}
	return configs, nil
}

func newError(problems []Problem) *Error {
	slices.SortStableFunc(problems, func(a, b Problem) int { return strings.Compare(a.Key, b.Key) })
	return &Error{slices.Compact(problems)}
}
