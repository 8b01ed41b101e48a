package backtest

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Changes as the comparison's table names them.
const (
	changeChanged      = "CHANGED"
	changeAdded        = "ADDED"
	changeRemoved      = "REMOVED"
	changeUnreplayable = "UNREPLAYABLE"
	changeSame         = "same"
)

// IncidentsListed is how many incidents of each kind (lost, new) an
// alarm's row of the table lists; the JSON lists them all.
const IncidentsListed = 10

// WriteComparison writes the report's comparison as a table, one row per
// alarm: first those that differ (changed, added, removed, in the order
// of the comparison's alarms), then the deployed alarms that cannot be
// replayed, then those that behave the same. Each row has both sides'
// times and minutes in ALARM and what differs: the attributes, and the
// incidents only one side raised, LOST (the deployed alarm raised it, the
// configured one would not have) or NEW, each with its start (RFC 3339,
// UTC) and length, a query alarm's with its contributor. A report without
// a comparison is written as WriteTable writes it.
func (r Report) WriteComparison(w io.Writer) error {
	c := r.Comparison
	if c == nil {
		return r.WriteTable(w)
	}
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STACK\tALARM\tCHANGE\tIN ALARM (DEPLOYED → CONFIGURED)\tDIFFERENCES")
	row := func(stack, name, change, inAlarm string, differences []string) {
		fmt.Fprintln(tw, strings.Join([]string{stack, name, change, inAlarm, strings.Join(differences, "; ")}, "\t"))
	}
	same := 0
	for _, a := range c.Alarms {
		if !a.Differs() {
			break
		}
		change, differences := changeChanged, a.Differences
		switch {
		case a.Deployed == nil:
			change, differences = changeAdded, []string{"not deployed"}
		case a.Configured == nil:
			change, differences = changeRemoved, []string{"deployed, no longer configured"}
		}
		if len(a.LostIncidents) > 0 {
			differences = append(differences, "LOST "+incidentsText(a.LostIncidents))
		}
		if len(a.NewIncidents) > 0 {
			differences = append(differences, "NEW "+incidentsText(a.NewIncidents))
		}
		row(a.Stack, a.Name, change, sideText(a.Deployed)+" → "+sideText(a.Configured), differences)
		same++
	}
	for _, u := range c.Unreplayable {
		var configured *SideSummary
		for _, a := range r.Alarms {
			if a.Stack == u.Stack && a.Name == u.Name {
				configured = summary(a)
			}
		}
		row(u.Stack, u.Name, changeUnreplayable, "? → "+sideText(configured), []string{"the deployed alarm cannot be replayed: " + strings.Join(u.Reasons, "; ")})
	}
	for _, a := range c.Alarms[same:] {
		row(a.Stack, a.Name, changeSame, sideText(a.Deployed)+" → "+sideText(a.Configured), nil)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// A row without differences ends in the padding of its last column.
	for line := range strings.Lines(table.String()) {
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// sideText is one side's times and minutes in ALARM; "-" for a side that
// lacks the alarm.
func sideText(s *SideSummary) string {
	if s == nil {
		return "-"
	}
	times := "times"
	if s.AlarmCount == 1 {
		times = "time"
	}
	return fmt.Sprintf("%d %s, %s min", s.AlarmCount, times, strconv.FormatFloat(s.MinutesInAlarm, 'f', -1, 64))
}

// incidentsText lists up to IncidentsListed incidents: each one's
// contributor (a query alarm's), start and length.
func incidentsText(list []Incident) string {
	var parts []string
	for _, in := range list[:min(len(list), IncidentsListed)] {
		text := in.From.UTC().Format(time.RFC3339) + " for " + strconv.FormatFloat(in.To.Sub(in.From).Minutes(), 'f', -1, 64) + " min"
		if len(in.Dimensions) > 0 {
			text = mapText(in.Dimensions) + " " + text
		}
		parts = append(parts, text)
	}
	if more := len(list) - IncidentsListed; more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return strings.Join(parts, ", ")
}
