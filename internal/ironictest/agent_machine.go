//go:build linux

package ironictest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// machine is one node's hardware while its ramdisk runs: the agent's token, its
// command history (the conductor reads it to follow steps), and the disk.
type machine struct {
	agent *Agent
	uuid  string

	mu       sync.Mutex
	name     string   // its node's name when it booted
	macs     []string // the NICs it booted with
	on       bool
	fault    AgentFault
	token    string
	commands []*command
	busy     bool // an asynchronous command is running
	wake     chan struct{}
	alive    context.Context // ends when the ramdisk does
	stop     context.CancelFunc
	log      []string
	// bootToken is the agent token on the kernel command line (ipa-agent-token: Ironic
	// pregenerates it for virtual media boots, and its lookup then hands out none).
	bootToken string

	// What outlives a boot, for the tests: the rescue password the conductor sent, the
	// steps run, the inventory posted.
	rescuePassword string
	rescueHashed   bool
	steps          []string
	inventory      map[string]any
}

// ramdiskHeartbeatVersion is the API version the agent's lookup and heartbeat ask for:
// agent_token (1.62) and agent_verify_ca (1.68).
const ramdiskHeartbeatVersion = "1.68"

// answersTo reports whether key (lower case) names this machine: its node's UUID or
// name, or one of its MACs. The caller holds m.mu.
func (m *machine) answersTo(key string) bool {
	return key == strings.ToLower(m.uuid) || (m.name != "" && key == strings.ToLower(m.name)) ||
		slices.ContainsFunc(m.macs, func(mac string) bool { return strings.EqualFold(mac, key) })
}

func (m *machine) running() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.on
}

func (m *machine) note(format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	line := time.Now().Format("15:04:05.000 ") + fmt.Sprintf(format, args...)
	if n := len(m.log); n > 0 && strings.HasSuffix(m.log[n-1], line[13:]) {
		return // the same line again (a silent machine seen on every tick)
	}
	m.log = append(m.log, line)
	if len(m.log) > 200 {
		m.log = m.log[len(m.log)-200:]
	}
}

func (m *machine) logLines() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.log...)
}

// boot starts the ramdisk: a fresh agent with no command history, which looks its node
// up and then heartbeats until it is powered off or Ironic stops accepting it.
func (m *machine) boot(parent context.Context, macs []string, fault AgentFault, state string) {
	ctx, cancel := context.WithCancel(parent)
	m.mu.Lock()
	m.on, m.fault, m.token, m.commands, m.busy, m.macs = true, fault, "", nil, false, macs
	m.wake = make(chan struct{}, 1)
	m.alive, m.stop = ctx, cancel
	m.mu.Unlock()
	m.note("boot (%s): MACs %v, fault %q", state, macs, fault)
	if state == inspectWait {
		go m.inspect(ctx, macs)
		return
	}
	go m.run(ctx, macs)
}

// powerOff ends the ramdisk (the machine shuts down or reboots into its instance).
func (m *machine) powerOff(why string) {
	m.mu.Lock()
	was := m.on
	m.on = false
	if m.stop != nil {
		m.stop()
	}
	m.mu.Unlock()
	if was {
		m.note("power off: %s", why)
	}
}

func (m *machine) run(ctx context.Context, macs []string) {
	token, err := m.lookup(ctx, macs)
	if err != nil {
		m.powerOff("lookup: " + err.Error())
		return
	}
	m.mu.Lock()
	m.token = token
	m.mu.Unlock()
	for {
		err := m.heartbeat(ctx)
		var rejected *rejectedError
		if errors.As(err, &rejected) {
			// Ironic no longer expects this agent (a new deploy wiped the token, the node
			// was deleted): on hardware the machine would have rebooted by now.
			m.powerOff("heartbeat refused: " + rejected.Error())
			return
		}
		if err != nil && ctx.Err() == nil {
			m.note("heartbeat: %v (trying again)", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-m.wake:
		case <-time.After(m.agent.Heartbeat):
		}
	}
}

// lookup asks Ironic which node has these MACs and takes the agent token it hands out,
// retrying while the node is locked or not yet in a state that allows it, as IPA does.
func (m *machine) lookup(ctx context.Context, macs []string) (string, error) {
	q := url.Values{}
	if len(macs) > 0 {
		q.Set("addresses", strings.Join(macs, ","))
	} else {
		q.Set("node_uuid", m.uuid) // virtual media boots know their node
	}
	m.mu.Lock()
	bootToken := m.bootToken
	m.mu.Unlock()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var out struct {
			Node struct {
				UUID string `json:"uuid"`
			} `json:"node"`
			Config struct {
				AgentToken string `json:"agent_token"`
			} `json:"config"`
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.agent.api+"/v1/lookup?"+q.Encode(), nil)
		if err != nil {
			return "", err
		}
		req.Header.Set("X-OpenStack-Ironic-API-Version", ramdiskHeartbeatVersion)
		err = m.agent.doJSON(req, &out)
		switch {
		case err == nil && out.Node.UUID != m.uuid:
			return "", fmt.Errorf("lookup by %v found node %s, not %s", macs, out.Node.UUID, m.uuid)
		case err == nil && bootToken != "":
			m.note("lookup: node %s, token from the kernel command line", out.Node.UUID)
			return bootToken, nil
		case err == nil && out.Config.AgentToken != "" && out.Config.AgentToken != "******":
			m.note("lookup: node %s, token received", out.Node.UUID)
			return out.Config.AgentToken, nil
		case err == nil:
			// A token was handed to an earlier boot and not wiped: IPA cannot go on.
			return "", errors.New("Ironic already holds an agent token for this node and hands out no usable one")
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no lookup for 2 minutes: %w", err)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

type rejectedError struct {
	status int
	fault  string
}

func (e *rejectedError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.fault) }

func (m *machine) heartbeat(ctx context.Context) error {
	m.mu.Lock()
	body, _ := json.Marshal(map[string]string{
		"callback_url":  m.agent.callbackURL(m.uuid),
		"agent_token":   m.token,
		"agent_version": m.agent.IPAVersion,
	})
	m.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.agent.api+"/v1/heartbeat/"+m.uuid, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-OpenStack-Ironic-API-Version", ramdiskHeartbeatVersion)
	resp, err := m.agent.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusNotFound ||
		resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized:
		return &rejectedError{resp.StatusCode, faultString(b)}
	default: // 409 (node locked), 5xx: heartbeat again later
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, faultString(b))
	}
}

// heartbeatSoon heartbeats at once: IPA does after an asynchronous command ends, so the
// conductor moves on without waiting a whole interval.
func (m *machine) heartbeatSoon() {
	m.mu.Lock()
	defer m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// faultString is Ironic's error text: {"error_message": "{\"faultstring\": ...}"}.
func faultString(b []byte) string {
	var outer struct {
		ErrorMessage string `json:"error_message"`
	}
	if json.Unmarshal(b, &outer) == nil && outer.ErrorMessage != "" {
		var inner struct {
			Faultstring string `json:"faultstring"`
		}
		if json.Unmarshal([]byte(outer.ErrorMessage), &inner) == nil && inner.Faultstring != "" {
			return inner.Faultstring
		}
		return outer.ErrorMessage
	}
	return strings.TrimSpace(string(b))
}

// doJSON sends req and decodes a 2xx answer into out.
func (a *Agent) doJSON(req *http.Request, out any) error {
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: HTTP %d: %s", req.Method, req.URL.Path, resp.StatusCode, faultString(b))
	}
	return json.Unmarshal(b, out)
}
