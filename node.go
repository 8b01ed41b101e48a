package main

import (
	"os"

	"github.com/aws/jsii-runtime-go"
)

// endOfLifeBannerVariable is read by the jsii kernel (the node process behind
// every construct): a comma-separated list of Node.js major versions whose
// end-of-life banner it does not print. The banner goes to stderr, where the
// cdktf CLI relays it as [ERROR] lines on every synth.
const endOfLifeBannerVariable = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"

// supportedNodeMajors are the Node.js releases this project supports: the
// ones the pinned cdktf CLI ships native prebuilds for (node-pty ABI 115 and
// 127). Node 20 passed end-of-life on 2026-04-30, Node 22 does on 2027-04-30.
const supportedNodeMajors = "20,22"

// prepareJsiiKernel keeps the synth output clean on the supported Node.js
// releases only (other versions still get jsii's warnings; a value the user
// set is left alone). Call it before the first construct.
//
// The jsii runtime prepares its node process while the construct packages
// initialize, before main runs, with the environment of that moment. Closing
// that process (not started yet) makes the first construct start a fresh one
// that sees the variable.
func prepareJsiiKernel() {
	if _, set := os.LookupEnv(endOfLifeBannerVariable); !set {
		os.Setenv(endOfLifeBannerVariable, supportedNodeMajors)
	}
	jsii.Close()
}
