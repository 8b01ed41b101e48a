package config

import (
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// ARNs are parsed with the AWS SDK's arn package; what each API accepts in
// their parts is checked here.

var (
	// partitionPattern is an AWS partition: aws, aws-cn, aws-us-gov, aws-iso-b, ….
	partitionPattern = regexp.MustCompile(`^aws[a-z-]*$`)
	regionShape      = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	accountPattern   = regexp.MustCompile(`^[0-9]{12}$`)
	topicNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`) // a standard topic: no .fifo
	aliasPattern     = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)
	// keyIDPattern is a KMS key id as KMS writes it: a UUID, or a
	// multi-Region mrk- id.
	keyIDPattern = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	// backendKeyIDPattern is what Terraform's S3 backend takes as a key id:
	// an RFC 4122 UUID (variant 8-b; the AWS docs' example id fails it) or
	// an mrk- id.
	backendKeyIDPattern = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
)

// parseARN parses s as the ARN of a resource of service in an AWS
// partition, with a region and an account.
func parseARN(s, service string) (arn.ARN, bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != service || !partitionPattern.MatchString(a.Partition) ||
		!regionShape.MatchString(a.Region) || !accountPattern.MatchString(a.AccountID) {
		return arn.ARN{}, false
	}
	return a, true
}

// topicARN is the region of a standard SNS topic's ARN, and whether s is one.
func topicARN(s string) (region string, ok bool) {
	a, ok := parseARN(s, "sns")
	if !ok || !topicNamePattern.MatchString(a.Resource) {
		return "", false
	}
	return a.Region, true
}

// kmsARN is the region of the ARN of a KMS key or alias whose key id
// matches keyID, and whether s is one.
func kmsARN(s string, keyID *regexp.Regexp) (region string, ok bool) {
	a, ok := parseARN(s, "kms")
	if !ok {
		return "", false
	}
	if id, isKey := strings.CutPrefix(a.Resource, "key/"); isKey {
		ok = keyID.MatchString(id)
	} else {
		ok = aliasPattern.MatchString(a.Resource)
	}
	if !ok {
		return "", false
	}
	return a.Region, true
}

// kmsKeyReference says whether s names a KMS key the way Kinesis and SNS
// take one: an alias name, a key id, or a key or alias ARN.
func kmsKeyReference(s string) bool {
	_, isARN := kmsARN(s, keyIDPattern)
	return aliasPattern.MatchString(s) || keyIDPattern.MatchString(s) || isARN
}
