// Package awspartition knows the one fact about AWS partitions that more
// than one package needs: where a partition's global services live.
package awspartition

// HomeRegion is the region of a partition's global services (Organizations,
// IAM, CloudFront's control plane), and where findings about global
// resources belong: us-east-1 is not a region outside the aws partition.
// "" for a partition it does not know.
// https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-endpoints.html
func HomeRegion(partition string) string {
	switch partition {
	case "aws":
		return "us-east-1"
	case "aws-us-gov":
		return "us-gov-west-1"
	case "aws-cn":
		return "cn-north-1"
	}
	return ""
}
