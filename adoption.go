package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchdashboard"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
)

// The kinds of resources adoptExisting can take over, by the names the
// configuration gives them.
var adoptableKinds = []string{"stream", "alarms", "topic", "dashboard"}

// Adoption is the adoptExisting setting: false, true (every kind the stack
// has), or a list of kinds.
type Adoption struct {
	All   bool
	Kinds []string
}

func (a *Adoption) UnmarshalJSON(data []byte) error {
	var all bool
	if err := json.Unmarshal(data, &all); err == nil {
		*a = Adoption{All: all}
		return nil
	}
	var kinds []string
	if err := json.Unmarshal(data, &kinds); err != nil {
		return &settingError{"is not true, false or a list of " + strings.Join(adoptableKinds, ", ")}
	}
	for i, k := range kinds {
		switch {
		case !slices.Contains(adoptableKinds, k):
			return &settingError{fmt.Sprintf("names %q, which is not one of %s", clip(k, maxEchoLength), strings.Join(adoptableKinds, ", "))}
		case slices.Contains(kinds[:i], k):
			return &settingError{fmt.Sprintf("names %q twice", k)}
		}
	}
	*a = Adoption{Kinds: kinds}
	return nil
}

func (a Adoption) MarshalJSON() ([]byte, error) {
	if a.Kinds != nil {
		return json.Marshal(a.Kinds)
	}
	return json.Marshal(a.All)
}

// adopts says whether the stack imports the existing resources of a kind.
func (a Adoption) adopts(kind string) bool { return a.All || slices.Contains(a.Kinds, kind) }

// any says whether anything is adopted.
func (a Adoption) any() bool { return a.All || len(a.Kinds) > 0 }

// validateAdoption refuses a kind the stack does not create.
func (c Config) validateAdoption(v *validation) {
	for kind, has := range map[string]bool{"topic": len(c.AlarmEmails) > 0, "dashboard": c.Dashboard} {
		if slices.Contains(c.AdoptExisting.Kinds, kind) && !has {
			v.badAllowed("adoptExisting", fmt.Sprintf("names %s, which this stack does not create", kind),
				map[string]string{"topic": "topic only with alarmEmails (the stack's own topic)", "dashboard": "dashboard only with dashboard true"}[kind])
		}
	}
}

// adoptExisting writes Terraform import blocks for the resources that exist
// under the configured names, so the next plan takes them over instead of
// failing on "already exists": the stream by its name, the alarms by theirs,
// the topic by its ARN, the dashboard by its name. Terraform imports them
// during the plan, before it changes anything; a named resource that does
// not exist stops the plan, and nothing changes.
func adoptExisting(cfg Config, acct *account, stream kinesisstream.KinesisStream, alarms []cloudwatchmetricalarm.CloudwatchMetricAlarm,
	routing alertActions, dashboard cloudwatchdashboard.CloudwatchDashboard) {
	a := cfg.AdoptExisting
	if a.adopts("stream") {
		stream.ImportFrom(jsii.String(cfg.StreamName), nil)
	}
	if a.adopts("alarms") {
		for _, alarm := range alarms {
			alarm.ImportFrom(alarm.AlarmNameInput(), nil)
		}
	}
	if a.adopts("topic") && routing.topic != nil {
		routing.topic.ImportFrom(acct.arn("sns", cfg.Region, alertTopicName(cfg)), nil)
	}
	if a.adopts("dashboard") && dashboard != nil {
		dashboard.ImportFrom(jsii.String(dashboardName(cfg)), nil)
	}
}
