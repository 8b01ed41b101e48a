package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
)

// Terraform releases the synthesized features need.
const (
	// terraformForCdktf: cdktf 0.20, which synthesizes and deploys the stack,
	// drives Terraform 1.2 and later.
	terraformForCdktf = "1.2.0"
	// terraformForImport: import blocks (adoptExisting).
	terraformForImport = "1.5.0"
	// terraformForImportExpressions: an import id that is an expression (the
	// alert topic's ARN holds the account id, read at plan time).
	terraformForImportExpressions = "1.6.0"
	// terraformForS3Lockfile: the S3 backend's native locking (use_lockfile).
	terraformForS3Lockfile = "1.10.0"
)

// requiredTerraform is the terraform block's required_version: the lowest
// Terraform the stack's features need, so an older one stops with a clear
// message instead of misreading the configuration.
func requiredTerraform(cfg config.Config) string {
	switch {
	case cfg.StateBucket != "":
		return ">= " + terraformForS3Lockfile
	case cfg.AdoptExisting.Adopts("topic") && len(cfg.AlarmEmails) > 0:
		return ">= " + terraformForImportExpressions
	case cfg.AdoptExisting.Any():
		return ">= " + terraformForImport
	}
	return ">= " + terraformForCdktf
}

// newBackend keeps the state in a local file next to the project (default)
// or, with stateBucket, in S3 with Terraform's native S3 locking (a
// <key>.tflock object written with a conditional PUT; Terraform 1.10+).
func newBackend(stack cdktf.TerraformStack, cfg config.Config) {
	if cfg.StateBucket == "" {
		cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{Path: jsii.String(cfg.StatePath())})
		return
	}
	region := cfg.StateRegion
	if region == "" {
		region = cfg.Region
	}
	s3 := &cdktf.S3BackendConfig{
		Bucket:  jsii.String(cfg.StateBucket),
		Key:     jsii.String(cfg.StateKey),
		Region:  jsii.String(region),
		Encrypt: jsii.Bool(true),
	}
	if cfg.StateKMSKeyID != "" {
		s3.KmsKeyId = jsii.String(cfg.StateKMSKeyID)
	}
	backend := cdktf.NewS3Backend(stack, s3)
	// cdktf 0.20 predates use_lockfile; the override writes it into the block.
	backend.AddOverride(jsii.String("use_lockfile"), jsii.Bool(true))
}
