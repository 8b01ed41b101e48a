package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// lookup walks a parsed JSON document along path ("resource",
// "aws_kinesis_stream", "stream", "name") and says whether it got there.
func lookup(doc any, path ...string) (any, bool) {
	cur := doc
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// flatten maps every leaf of a JSON document to its dotted path, skipping
// cdktf's "//" metadata.
func flatten(doc any) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				if k == "//" {
					continue
				}
				walk(prefix+"."+k, child)
			}
		default:
			out[strings.TrimPrefix(prefix, ".")] = render(x)
		}
	}
	walk("", doc)
	return out
}

// --- small helpers for the JSON checks ----------------------------------------

func joinErrors(errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(errs, "\n"))
}

func mustMap(doc map[string]any, path ...string) map[string]any {
	v, ok := lookup(doc, path...)
	m, isMap := v.(map[string]any)
	if !ok || !isMap {
		panic(fmt.Sprintf("no object at %v", path))
	}
	return m
}

func deepCopy(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// parse reads a stack file.
func parse(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}
