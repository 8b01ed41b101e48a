package alarms

// Comparison is the comparison operator of an alarm on a static threshold,
// spelled as PutMetricAlarm spells it. It is the one place that knows what
// each operator means: its symbol, its words, and whether a value breaches
// a threshold. The evaluator, the backtest's report and the charts ask it.
type Comparison string

// The comparison operators of an alarm on a static threshold (the
// LessThanLower… and GreaterThanUpper… operators need an anomaly-detection
// band), in the order the PutMetricAlarm reference lists them.
const (
	GreaterThanOrEqualToThreshold Comparison = "GreaterThanOrEqualToThreshold"
	GreaterThanThreshold          Comparison = "GreaterThanThreshold"
	LessThanThreshold             Comparison = "LessThanThreshold"
	LessThanOrEqualToThreshold    Comparison = "LessThanOrEqualToThreshold"
)

// ComparisonOperators are the operators above.
var ComparisonOperators = []Comparison{
	GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold,
}

// comparisons describes each operator once.
var comparisons = map[Comparison]struct {
	greater, orEqual bool
	symbol, words    string
}{
	GreaterThanOrEqualToThreshold: {greater: true, orEqual: true, symbol: "≥", words: "greater than or equal to"},
	GreaterThanThreshold:          {greater: true, symbol: ">", words: "greater than"},
	LessThanThreshold:             {symbol: "<", words: "less than"},
	LessThanOrEqualToThreshold:    {orEqual: true, symbol: "≤", words: "less than or equal to"},
}

// Valid says whether c is one of ComparisonOperators.
func (c Comparison) Valid() bool {
	_, ok := comparisons[c]
	return ok
}

// Greater says whether higher values breach (the GreaterThan operators);
// for the LessThan operators lower values do. A stricter threshold is a
// higher one for the first, a lower one for the second.
func (c Comparison) Greater() bool { return comparisons[c].greater }

// OrEqual says whether a value equal to the threshold breaches.
func (c Comparison) OrEqual() bool { return comparisons[c].orEqual }

// Symbol is the operator as a sign: >, ≥, < or ≤ ("" for an unknown one).
func (c Comparison) Symbol() string { return comparisons[c].symbol }

// Words is the operator as CloudWatch's state reasons write it: "greater
// than", "greater than or equal to", "less than", "less than or equal to"
// ("" for an unknown one).
func (c Comparison) Words() string { return comparisons[c].words }

// Breaches says whether the value v breaches the threshold under c. NaN
// breaches nothing; an unknown operator never breaches.
func (c Comparison) Breaches(v, threshold float64) bool {
	d, ok := comparisons[c]
	switch {
	case !ok:
		return false
	case d.greater && d.orEqual:
		return v >= threshold
	case d.greater:
		return v > threshold
	case d.orEqual:
		return v <= threshold
	}
	return v < threshold
}

// Names are the names of the operators, as strings.
func Names[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}
