package chart

import (
	"strings"
	"testing"
	"time"
)

func TestTimeTicks(t *testing.T) {
	cases := []struct {
		name   string
		window time.Duration
		start  time.Time
		want   []string // the major tick labels
	}{
		{"3 hours", 3 * time.Hour, at(7 * time.Minute), []string{"10:15", "10:30", "10:45", "11:00", "11:15", "11:30", "11:45", "12:00", "12:15", "12:30", "12:45", "13:00"}},
		{"1 day", 24 * time.Hour, testStart, []string{"10:00", "12:00", "14:00", "16:00", "18:00", "20:00", "22:00", "00:00", "02:00", "04:00", "06:00", "08:00", "10:00"}},
		{"14 days", 14 * 24 * time.Hour, testStart, []string{"Mar 3 00:00", "Mar 5 00:00", "Mar 7 00:00", "Mar 9 00:00", "Mar 11 00:00", "Mar 13 00:00", "Mar 15 00:00"}},
		{"90 days", 90 * 24 * time.Hour, testStart, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			end := tc.start.Add(tc.window)
			var labels []string
			for _, tk := range timeTicks(tc.window).Ticks(xOf(tc.start), xOf(end)) {
				if !tk.IsMinor() {
					labels = append(labels, tk.Label)
				}
			}
			if tc.want == nil {
				if len(labels) < 3 || len(labels) > 8 {
					t.Errorf("%d labels %q, want 3 to 8", len(labels), labels)
				}
				return
			}
			if strings.Join(labels, ",") != strings.Join(tc.want, ",") {
				t.Errorf("labels %q\nwant %q", labels, tc.want)
			}
		})
	}
}

func TestValueTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   string
	}{
		{0, 7.15, "0,2,4,6"},
		{0, 1.1, "0,0.25,0.50,0.75,1.00"},
		{-0.03, 0.08, "-0.025,0,0.025,0.050,0.075"},
		{0, 3.2e6, "0,1M,2M,3M"},
		{0, 12000, "0,2.5k,5.0k,7.5k,10.0k"},
		{5, 6, "5.0,5.2,5.4,5.6,5.8,6.0"},
		{0, 9e9, "0,2G,4G,6G,8G"},
	}
	for _, tc := range cases {
		var labels []string
		for _, tk := range (valueTicker{}).Ticks(tc.lo, tc.hi) {
			if !tk.IsMinor() {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, ","); got != tc.want {
			t.Errorf("[%v, %v]: %s, want %s", tc.lo, tc.hi, got, tc.want)
		}
	}
}
