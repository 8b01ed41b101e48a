package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// settingError carries a reason in the user's words out of a decoder.
type settingError struct{ reason string }

func (e *settingError) Error() string { return e.reason }

// RecommendedAlarms is the recommendedAlarms setting: true or false, or an
// object of thresholds (by the alarms' keys), which turns the set on with
// them.
type RecommendedAlarms struct {
	Enabled    bool
	Thresholds alarms.Thresholds
}

func (r *RecommendedAlarms) UnmarshalJSON(data []byte) error {
	var on bool
	if err := json.Unmarshal(data, &on); err == nil {
		*r = RecommendedAlarms{Enabled: on}
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return &settingError{"is not true, false or an object of thresholds"}
	}
	keys := alarms.Keys()
	thresholds := alarms.Thresholds{}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(keys, k) {
			return &settingError{fmt.Sprintf("has the threshold %q, which is not one of %s", clip(k, maxEchoLength), strings.Join(keys, ", "))}
		}
		t, why := threshold(fields[k])
		if why != "" {
			return &settingError{fmt.Sprintf("has a threshold for %s that %s", k, why)}
		}
		thresholds[k] = t
	}
	*r = RecommendedAlarms{Enabled: true, Thresholds: thresholds}
	return nil
}

// threshold decodes one threshold of an object of thresholds, and says in
// the user's words why it is none ("" when it is a number). null is refused,
// as for a setting: a threshold left out keeps its default.
func threshold(data json.RawMessage) (float64, string) {
	var t *float64
	switch err := json.Unmarshal(data, &t); {
	case err != nil:
		return 0, "is not a number"
	case t == nil:
		return 0, "is null; leave it out to keep the alarm's default"
	}
	return *t, ""
}

// MarshalJSON writes the setting as a user would: true or false, or the
// thresholds set.
func (r RecommendedAlarms) MarshalJSON() ([]byte, error) {
	if len(r.Thresholds) == 0 {
		return json.Marshal(r.Enabled)
	}
	return json.Marshal(r.Thresholds)
}

// validateRecommended checks the thresholds the user set against each
// alarm's bounds.
func (c Config) validateRecommended(v *validation) {
	stream := c.alarmStream()
	for _, r := range alarms.RecommendedSet {
		t, set := c.RecommendedAlarms.Thresholds[r.Key]
		if !set || r.Accepts(stream, t) {
			continue
		}
		v.badAllowed("recommendedAlarms", fmt.Sprintf("sets %s to %g", r.Key, t), r.Key+": "+r.Allowed(stream))
	}
}

// AdoptableKinds are the kinds of resources adoptExisting can take over, by
// the names the configuration gives them.
var AdoptableKinds = []string{"stream", "alarms", "topic", "dashboard"}

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
		return &settingError{"is not true, false or a list of " + strings.Join(AdoptableKinds, ", ")}
	}
	for i, k := range kinds {
		switch {
		case !slices.Contains(AdoptableKinds, k):
			return &settingError{fmt.Sprintf("names %q, which is not one of %s", clip(k, maxEchoLength), strings.Join(AdoptableKinds, ", "))}
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

// Adopts says whether the stack imports the existing resources of a kind.
func (a Adoption) Adopts(kind string) bool { return a.All || slices.Contains(a.Kinds, kind) }

// Any says whether anything is adopted.
func (a Adoption) Any() bool { return a.All || len(a.Kinds) > 0 }

// validateAdoption refuses a kind the stack does not create.
func (c Config) validateAdoption(v *validation) {
	for _, kind := range AdoptableKinds {
		has := map[string]bool{"stream": c.CreateStream, "alarms": c.CreateStream, "topic": len(c.AlarmEmails) > 0, "dashboard": c.Dashboard && c.CreateStream}[kind]
		if slices.Contains(c.AdoptExisting.Kinds, kind) && !has {
			v.badAllowed("adoptExisting", fmt.Sprintf("names %s, which this stack does not create", kind),
				map[string]string{"topic": "topic only with alarmEmails (the stack's own topic)", "dashboard": "dashboard only with dashboard true and a stream of the stack's",
					"stream": "stream and alarms only with a stream of the stack's (createStream true); a watched stream is never managed", "alarms": "alarms only with a stream of the stack's; CloudWatch lets the alarms of watchStreams and watchAllStreams be taken over without an import"}[kind])
		}
	}
}
