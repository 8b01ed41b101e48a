package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"

	"github.com/xfusion/kinesis-monitoring/config"
)

// adoptExisting writes Terraform import blocks for the resources that exist
// under the configured names, so the next plan takes them over instead of
// failing on "already exists": the stream by its name, the alarms by theirs,
// the topic by its ARN, the dashboard by its name. Terraform imports them
// during the plan, before it changes anything; a named resource that does
// not exist stops the plan, and nothing changes. A watch-only stack has no
// stream (stream nil) and no monitoring of its own. The alarms and
// dashboards of the watched streams (watchStreams) and of every stream
// (watchAllStreams' query alarms and <stack>-all-streams) are never
// adopted: CloudWatch's Put calls take an existing alarm or dashboard of
// the name over, so a deploy after a lost state rebuilds them without an
// import, and an import would stop the first plan after watchAllStreams
// is switched on, when they do not exist yet.
func adoptExisting(cfg config.Config, acct *account, stream kinesisstream.KinesisStream, m streamMonitoring, routing alertActions) {
	a := cfg.AdoptExisting
	if a.Adopts("stream") && stream != nil {
		stream.ImportFrom(jsii.String(cfg.StreamName), nil)
	}
	if a.Adopts("alarms") {
		for _, alarm := range m.alarms {
			alarm.ImportFrom(alarm.AlarmNameInput(), nil)
		}
	}
	if a.Adopts("topic") && routing.topic != nil {
		routing.topic.ImportFrom(acct.arn("sns", cfg.Region, cfg.AlertTopicName()), nil)
	}
	if a.Adopts("dashboard") && m.dashboard != nil {
		m.dashboard.ImportFrom(jsii.String(cfg.DashboardName()), nil)
	}
}
