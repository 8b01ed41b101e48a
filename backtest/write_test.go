package backtest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xfusion/kinesis-monitoring/alarms"
	"github.com/xfusion/kinesis-monitoring/internal/jsontext"
)

// WriteJSON writes the report as one line of JSON with the exact suggestion,
// byte for byte what --json wrote before it (jsontext.Marshal and a newline).
func TestWriteJSON(t *testing.T) {
	threshold := 956.2737808409977
	r := Report{Window: WindowJSON{Start: t0, End: minutes(60)}, Alarms: []AlarmReport{{
		Stack: "st", Name: "a&b<c>", Comparison: alarms.GreaterThanThreshold, Transitions: []TransitionJSON{},
		Suggestion: &Suggestion{MaxAlarms: 0, Threshold: &threshold},
	}}}
	var got bytes.Buffer
	if err := r.WriteJSON(&got); err != nil {
		t.Fatal(err)
	}
	before, err := jsontext.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(before, '\n'); !bytes.Equal(got.Bytes(), want) {
		t.Errorf("WriteJSON wrote\n%s\nwant\n%s", got.Bytes(), want)
	}
	for _, s := range []string{`"name":"a&b<c>"`, `"suggestion":{"maxAlarms":0,"threshold":956.2737808409977,"any":false}`} {
		if !strings.Contains(got.String(), s) {
			t.Errorf("the JSON lacks %s:\n%s", s, got.String())
		}
	}
	if strings.Count(got.String(), "\n") != 1 || !strings.HasSuffix(got.String(), "}\n") {
		t.Errorf("not one line ending in a newline: %q", got.String())
	}
}
