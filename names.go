package main

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
)

// nameUnsafe are the characters SNS topic and dashboard names may not hold
// (stream names allow ".").
var nameUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// alertTopicName and dashboardName derive from the stream name, with "-"
// for what those names do not allow.
func alertTopicName(cfg Config) string {
	return nameUnsafe.ReplaceAllString(cfg.StreamName, "-") + "-alerts"
}

func dashboardName(cfg Config) string { return nameUnsafe.ReplaceAllString(cfg.StreamName, "-") }

// shortHash gives an e-mail subscription a construct id that does not move
// when the address list is reordered.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}
