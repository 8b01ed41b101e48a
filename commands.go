package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
)

// A command is one thing the app does, chosen by its first argument.
type command struct {
	name    string   // the first argument; "" for none
	aliases []string // other first arguments that run it
	args    string   // what follows the name, as the usage writes it
	summary string   // what it does, in one line
	run     func(args []string, stdout, stderr io.Writer) (exitCode int)
}

// commands are the app's commands, in the order the usage lists them: the
// one list the dispatch (run), the usage and the file help are made from.
// It is set in init because help's run reads it.
var commands []command

func init() {
	commands = []command{
		{summary: "Synthesizes every stack into cdktf.out/ (what npx cdktf synth runs)", run: synthesize},
		{name: "backtest", args: "[flags]", summary: "Replays every alarm over CloudWatch's metric history; flags: -h", run: backtestCommand},
		{name: "help", aliases: []string{"-h", "--help"}, summary: "Prints this list", run: help},
	}
}

// run runs the command that args name and returns its exit code.
func run(args []string, stdout, stderr io.Writer) int {
	name := ""
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	for _, c := range commands {
		if c.name == name || slices.Contains(c.aliases, name) {
			return c.run(args, stdout, stderr)
		}
	}
	var allowed []string
	for _, c := range commands {
		if c.name != "" {
			allowed = append(allowed, append([]string{c.name}, c.aliases...)...)
		}
	}
	fmt.Fprintf(stderr, "%q is not a command of this app; allowed: %s, or no argument to synthesize (go run . help)\n", name, strings.Join(allowed, ", "))
	return exitBadInput
}

// usageHeader is the usage's first line. In the file help the usage is a
// block: from this line to the next empty one.
const usageHeader = "  The app's commands (go run . help prints this list):"

// usage lists the commands, a line each, and says where the docs are: what
// help prints, and the block of the file help (help_test.go keeps the two
// equal).
func usage() string {
	var b strings.Builder
	b.WriteString(usageHeader + "\n")
	for _, c := range commands {
		call := strings.Join(strings.Fields("go run . "+c.name+" "+c.args), " ")
		summary := c.summary
		if len(c.aliases) > 0 {
			summary += " (also " + strings.Join(c.aliases, ", ") + ")"
		}
		fmt.Fprintf(&b, "    %-28s%s\n", call, summary)
	}
	b.WriteString("  Docs: README.md, docs/configuration.md (every setting), docs/tuning-alarms.md (the backtest)\n")
	return b.String()
}

// help prints the usage.
func help(_ []string, stdout, _ io.Writer) int {
	fmt.Fprint(stdout, usage())
	return exitOK
}

// synthesize writes every stack of the configuration into cdktf.out/; a bad
// configuration is reported, every problem at once, and nothing is written.
func synthesize(_ []string, _, stderr io.Writer) int {
	err := prepareJsiiKernel()
	var configs []config.Config
	if err == nil {
		configs, err = config.Load()
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	app := cdktf.NewApp(nil)
	for _, cfg := range configs {
		NewKinesisMonitoringStack(app, cfg.StackID(), cfg)
	}
	app.Synth()
	return exitOK
}
