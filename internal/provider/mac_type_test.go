package provider

import (
	"context"
	"testing"
)

func TestMACSemanticEquality(t *testing.T) {
	eq, _ := newMACValue("52:54:00:AB:CD:EF").StringSemanticEquals(context.Background(), newMACValue("52:54:00:ab:cd:ef"))
	ne, _ := newMACValue("52:54:00:AB:CD:EF").StringSemanticEquals(context.Background(), newMACValue("52:54:00:ab:cd:ee"))
	if !eq || ne {
		t.Fatalf("semantic equality: same=%v different=%v", eq, ne)
	}
}
