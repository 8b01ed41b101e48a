package main

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/jsii-runtime-go"
)

// The jsii kernel is the node process behind every construct. The jsii runtime
// prepares it while the construct packages initialize, before main runs, with
// the environment of that moment; prepareJsiiKernel sets the kernel's
// environment and closes that (not yet started) process, so the first construct
// starts a fresh one that sees it.

// endOfLifeBannerVariable is read by the jsii kernel: a comma-separated list of
// Node.js major versions whose end-of-life banner it does not print. The banner
// goes to stderr, where the cdktf CLI relays it as [ERROR] lines on every synth.
const endOfLifeBannerVariable = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"

// packageJSON is the project's package.json: its "engines" field names the
// Node.js releases this project supports (the ones the pinned cdktf CLI ships
// native prebuilds for, node-pty ABI 115 and 127), as major versions joined by
// "||". npm and .ci/run read the same field.
//
//go:embed package.json
var packageJSON []byte

// supportedNodeMajors are those releases as the banner variable lists them:
// "20,22".
func supportedNodeMajors() (string, error) {
	var pkg struct {
		Engines struct {
			Node string `json:"node"`
		} `json:"engines"`
	}
	if err := json.Unmarshal(packageJSON, &pkg); err != nil {
		return "", fmt.Errorf("package.json: %v", err)
	}
	var majors []string
	for _, part := range strings.Split(pkg.Engines.Node, "||") {
		major := strings.TrimSpace(part)
		if _, err := strconv.ParseUint(major, 10, 16); err != nil {
			return "", fmt.Errorf("package.json engines.node %q: want major versions joined by ||, such as \"20 || 22\"", pkg.Engines.Node)
		}
		majors = append(majors, major)
	}
	return strings.Join(majors, ","), nil
}

// LazyBindingsVariable switches the lazy load of the AWS provider bindings:
// unset or true (the default) serves @cdktf/provider-aws's index lazily, false
// loads the package as Node normally does. Values as strconv.ParseBool reads
// them (1, t, true, 0, f, false, in any case).
const LazyBindingsVariable = "KINESIS_LAZY_BINDINGS"

const nodeOptionsVariable = "NODE_OPTIONS"

// jsiiDefaultNodeOptions is what the jsii runtime gives the kernel when
// NODE_OPTIONS is unset (and only then): setting NODE_OPTIONS must keep it.
const jsiiDefaultNodeOptions = "--max-old-space-size=4069"

// lazyProviderIndex is the kernel preload that serves @cdktf/provider-aws's
// index lazily (see the script for how, and for when it steps aside).
//
//go:embed kernel/lazy-provider-index.cjs
var lazyProviderIndex []byte

// userNodeOptions is NODE_OPTIONS as the process found it, before
// prepareJsiiKernel added the preload.
var userNodeOptions, userNodeOptionsSet = os.LookupEnv(nodeOptionsVariable)

// prepareJsiiKernel gives the kernel its environment. Call it before the first
// construct; calling it again recomputes the environment from the user's.
//
//   - The end-of-life banner is silenced on the supported Node.js releases only
//     (other versions still get jsii's warnings; a value the user set is left
//     alone).
//   - NODE_OPTIONS gains --require <preload> (appended to the user's options,
//     or to jsii's default when the user set none), unless
//     KINESIS_LAZY_BINDINGS is false or the preload cannot be written to the
//     user cache directory; then the provider loads as usual, only slower.
func prepareJsiiKernel() error {
	if _, set := os.LookupEnv(endOfLifeBannerVariable); !set {
		majors, err := supportedNodeMajors()
		if err != nil {
			return err
		}
		os.Setenv(endOfLifeBannerVariable, majors)
	}
	lazy, err := lazyBindingsEnabled()
	if err != nil {
		return err
	}
	preload := ""
	if lazy {
		preload, _ = installPreload() // no cache directory: the normal load
	}
	if options, set := kernelNodeOptions(userNodeOptions, userNodeOptionsSet, preload); set {
		os.Setenv(nodeOptionsVariable, options)
	} else {
		os.Unsetenv(nodeOptionsVariable)
	}
	jsii.Close()
	return nil
}

func lazyBindingsEnabled() (bool, error) {
	value, set := os.LookupEnv(LazyBindingsVariable)
	if !set || value == "" {
		return true, nil
	}
	lazy, err := strconv.ParseBool(value)
	if err != nil {
		return false, fmt.Errorf("%s: %.80q is not allowed; allowed: true or 1 (the default: load the AWS provider bindings lazily), false or 0 (load them whole, as Node normally does)", LazyBindingsVariable, value)
	}
	return lazy, nil
}

// kernelNodeOptions is the kernel's NODE_OPTIONS: the user's options (or
// jsii's default when there are none) followed by the preload, if any, once.
func kernelNodeOptions(user string, userSet bool, preload string) (string, bool) {
	if preload == "" {
		return user, userSet
	}
	base := jsiiDefaultNodeOptions
	if userSet {
		base = user
	}
	require := "--require " + nodeOptionQuote(preload)
	if strings.Contains(base, require) {
		return base, true
	}
	return strings.TrimSpace(base + " " + require), true
}

// nodeOptionQuote quotes a path the way Node.js reads NODE_OPTIONS: in double
// quotes, where a backslash takes the next character literally.
func nodeOptionQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// installPreload writes the preload once per content under the user cache
// directory (as jsii keeps its package cache there) and returns its path.
// The name carries a hash of the content: a changed script gets a new file,
// and an existing file is used as it is only when it holds exactly the script.
func installPreload() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(lazyProviderIndex)
	dir := filepath.Join(cache, "kinesis-monitoring")
	path := filepath.Join(dir, "lazy-provider-index-"+hex.EncodeToString(sum[:8])+".cjs")
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, lazyProviderIndex) {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".lazy-provider-index-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; cleans up on failure
	if _, err := tmp.Write(lazyProviderIndex); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}
