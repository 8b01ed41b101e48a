package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/xfusion/kinesis-monitoring/config"
)

// ProviderConstraint replaces the exact "5.99.1" the aws/v19 bindings write:
// the release they were built for and every later 5.x.
const ProviderConstraint = ">= 5.99.1, < 6.0.0"

// newProvider configures hashicorp/aws: the region, the tags every resource
// gets, and a version range instead of the bindings' exact pin.
func newProvider(stack cdktf.TerraformStack, cfg config.Config) {
	providerConfig := &provider.AwsProviderConfig{Region: jsii.String(cfg.Region)}
	if len(cfg.Tags) > 0 {
		tags := map[string]*string{}
		for k, v := range cfg.Tags {
			tags[k] = jsii.String(v)
		}
		providerConfig.DefaultTags = &[]*provider.AwsProviderDefaultTags{{Tags: &tags}}
	}
	provider.NewAwsProvider(stack, jsii.String("aws"), providerConfig)
	stack.AddOverride(jsii.String("terraform.required_providers.aws.source"), jsii.String("hashicorp/aws"))
	stack.AddOverride(jsii.String("terraform.required_providers.aws.version"), jsii.String(ProviderConstraint))
	stack.AddOverride(jsii.String("terraform.required_version"), jsii.String(requiredTerraform(cfg)))
}
