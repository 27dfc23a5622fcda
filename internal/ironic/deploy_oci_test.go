package ironic

import "testing"

// The pull secret goes to Ironic with the instance_info it deploys, never into the
// instance_info compared or recorded.
func TestDeploySpecSendsPullSecret(t *testing.T) {
	spec := DeploySpec{InstanceInfo: map[string]string{"image_source": "oci://r/d@sha256:ab"}, PullSecret: "u:p"}
	sent := spec.sentInstanceInfo()
	if sent["image_pull_secret"] != "u:p" || sent["image_source"] != "oci://r/d@sha256:ab" {
		t.Fatalf("sent %v", sent)
	}
	if _, ok := spec.InstanceInfo["image_pull_secret"]; ok {
		t.Fatal("the secret was written into the spec's instance_info")
	}
	if got := (DeploySpec{InstanceInfo: map[string]string{"a": "b"}}).sentInstanceInfo(); len(got) != 1 {
		t.Fatalf("without a secret: %v", got)
	}
}
