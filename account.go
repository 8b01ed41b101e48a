package main

import (
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawscalleridentity"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawspartition"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// account is where the stack deploys, read at plan time from the
// credentials Terraform uses (the app itself never calls AWS): for ARNs the
// stack must write, such as a key policy's conditions or an import's id.
type account struct {
	stack     cdktf.TerraformStack
	id        *string // the account id, an interpolation
	partition *string // aws, aws-cn, aws-us-gov, …
}

// lookup declares the data sources on first use; a stack that needs no
// account ARN has none.
func (a *account) lookup() {
	if a.id != nil {
		return
	}
	a.id = dataawscalleridentity.NewDataAwsCallerIdentity(a.stack, jsii.String("current_account"), nil).AccountId()
	a.partition = dataawspartition.NewDataAwsPartition(a.stack, jsii.String("current_partition"), nil).Partition()
}

// arn is the ARN of a resource of this account: arn:<partition>:<service>:<region>:<account>:<resource>.
func (a *account) arn(service, region, resource string) *string {
	a.lookup()
	return jsii.String(arn.ARN{Partition: *a.partition, Service: service, Region: region, AccountID: *a.id, Resource: resource}.String())
}
