package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// newBackend keeps the state in a local file next to the project (default)
// or, with stateBucket, in S3 with Terraform's native S3 locking (a
// <key>.tflock object written with a conditional PUT; Terraform 1.10+).
func newBackend(stack cdktf.TerraformStack, cfg Config) {
	if cfg.StateBucket == "" {
		cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{Path: jsii.String(StatePath)})
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
