package alarms

import (
	"strings"
	"testing"
)

// The table's entries each have their own ID, name suffix and threshold
// key, a default the entry accepts, and texts that say how long the
// condition held, taken from the constants.
func TestRecommendedTableEntriesAreComplete(t *testing.T) {
	for _, p := range tableProblems(RecommendedSet) {
		t.Error(p)
	}
	// The check can fail: a copied entry, a default out of its bounds.
	copied := append(append([]Recommended(nil), RecommendedSet...), RecommendedSet[0])
	broken := append([]Recommended(nil), RecommendedSet...)
	broken[1].Default = constant(2) // a share above 1
	if got := tableProblems(copied); len(got) != 3 {
		t.Errorf("a copied entry: %q, want its ID, suffix and key reported", got)
	}
	if got := tableProblems(broken); len(got) != 1 || !strings.Contains(got[0], broken[1].ID) {
		t.Errorf("a default out of bounds: %q", got)
	}
}

func tableProblems(set []Recommended) []string {
	var problems []string
	seen := map[string]string{}
	stream := Stream{Name: "s", RetentionHours: 24}
	for _, r := range set {
		for kind, v := range map[string]string{"ID": r.ID, "name suffix": r.NameSuffix, "key": r.Key} {
			if other, taken := seen[kind+v]; taken {
				problems = append(problems, r.ID+": "+kind+" "+v+" is "+other+"'s too")
			}
			seen[kind+v] = r.ID
		}
		if !r.Accepts(stream, r.Default(stream)) {
			problems = append(problems, r.ID+": the default threshold is outside the alarm's bounds")
		}
		if d := r.Description(stream, r.Default(stream)); !strings.Contains(strings.ToLower(d), "for "+Sustained()) {
			problems = append(problems, r.ID+": the description does not say how long the condition held: "+d)
		}
		if r.FiresWhen == "" || r.Why == "" || r.Allowed(stream) == "" {
			problems = append(problems, r.ID+": no FiresWhen, Why or Allowed text for the docs")
		}
	}
	return problems
}

func TestSustainedFollowsTheConstants(t *testing.T) {
	if got := Sustained(); got != "15 minutes" {
		t.Errorf("Sustained() = %q for %d periods of %d s", got, RecommendedEvaluationPeriods, RecommendedPeriod)
	}
}

// A user's threshold replaces the default of its alarm only.
func TestThresholdOverride(t *testing.T) {
	s := Stream{Name: "s", RetentionHours: 48}
	age, share := RecommendedSet[0], RecommendedSet[1]
	thresholds := Thresholds{age.Key: 60000}
	if got := age.Threshold(s, thresholds); got != 60000 {
		t.Errorf("%s with an override: %v", age.Key, got)
	}
	if got := share.Threshold(s, thresholds); got != share.Default(s) {
		t.Errorf("%s without one: %v, want the default %v", share.Key, got, share.Default(s))
	}
	if got := age.Threshold(s, nil); got != 48*3600*1000/2 {
		t.Errorf("%s default: %v, want half the retention", age.Key, got)
	}
}

// ForStream puts the write-throttling alarm first (the stack's output
// names it) and the recommended set after it, in table order.
func TestForStreamOrder(t *testing.T) {
	got := ForStream(Stream{Name: "s", RetentionHours: 24}, Settings{Name: "w", Period: 60, EvaluationPeriods: 1, Recommended: true})
	if len(got) != 1+len(RecommendedSet) || got[0].ID != WriteThrottleID {
		t.Fatalf("%d alarms, the first %s", len(got), got[0].ID)
	}
	for i, r := range RecommendedSet {
		if got[i+1].ID != r.ID || got[i+1].Name != "s"+r.NameSuffix {
			t.Errorf("alarm %d is %s %q, want %s", i+1, got[i+1].ID, got[i+1].Name, r.ID)
		}
	}
	if off := ForStream(Stream{Name: "s"}, Settings{Name: "w"}); len(off) != 1 {
		t.Errorf("without the recommended set: %d alarms", len(off))
	}
}
