package image

import (
	"context"
	"strings"
	"time"

	"github.com/metalform/terraform-provider-baremetal/internal/httpclient"
)

// Logger receives the engine's log lines; the provider passes tflog.
type Logger func(ctx context.Context, msg string, fields map[string]any)

func containsToken(header, token string) bool {
	for _, part := range strings.Split(header, ",") {
		if strings.EqualFold(strings.TrimSpace(part), token) {
			return true
		}
	}
	return false
}

func sleepCtx(ctx context.Context, d time.Duration) error { return httpclient.Sleep(ctx, d) }
