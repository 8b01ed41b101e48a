package evaluator

import (
	"fmt"
	"testing"

	"github.com/xfusion/kinesis-monitoring/alarms"
)

// checkStep reports outcomes (by number of breaching datapoints, from 0)
// that are not a step: more than one change.
func checkStep(outcomes []outcome) error {
	changes := 0
	for b := 1; b < len(outcomes); b++ {
		if outcomes[b] != outcomes[b-1] {
			changes++
		}
	}
	if changes > 1 {
		return fmt.Errorf("the outcome changes %d times: %v", changes, outcomes)
	}
	return nil
}

// For every alarm of up to 8 evaluation periods, treatment, number of real
// datapoints and age of the oldest, decide's outcome is a step in the
// number of breaching datapoints, as the profile's binary search assumes;
// and the profile's table finds the step where decide puts it.
func TestDecideIsAStep(t *testing.T) {
	for n := 1; n <= 8; n++ {
		for m := 1; m <= n; m++ {
			for _, treatment := range alarms.MissingDataTreatments {
				r := newRules(testAlarm(n, m, alarms.GreaterThanThreshold, 0, treatment))
				steps := r.criticals()
				for real := 0; real <= n; real++ {
					for _, old := range []bool{false, true} {
						var outcomes []outcome
						for b := 0; b <= real; b++ {
							o, _ := r.decide(real, b, old)
							outcomes = append(outcomes, o)
						}
						name := fmt.Sprintf("%d of %d, %s, %d real, old enough %v", m, n, treatment, real, old)
						if err := checkStep(outcomes); err != nil {
							t.Errorf("%s: %v", name, err)
							continue
						}
						st := steps[real][b2i(old)]
						for b, o := range outcomes {
							want := st.lo
							if st.lo != st.hi && b >= st.need {
								want = st.hi
							}
							if o != want {
								t.Errorf("%s, %d breaching: the table says %v, decide %v", name, b, want, o)
							}
						}
					}
				}
			}
		}
	}
}

func TestCheckStepFails(t *testing.T) {
	if checkStep([]outcome{toOK, toAlarm, toOK}) == nil {
		t.Error("OK, ALARM, OK passes as a step")
	}
	if checkStep([]outcome{toOK, toOK, keep}) != nil {
		t.Error("OK, OK, keep fails as a step")
	}
}
