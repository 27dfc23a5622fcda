//go:build linux

package ironictest

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// command is one entry of the agent's command history, serialised as IPA does
// (extensions/base.py): the conductor follows deploy and clean steps through it.
type command struct {
	ID     string         `json:"id"`
	Name   string         `json:"command_name"` // without the extension: "execute_deploy_step"
	Status string         `json:"command_status"`
	Error  *agentError    `json:"command_error"`
	Result map[string]any `json:"command_result"`

	done chan struct{}
}

const (
	statusRunning   = "RUNNING"
	statusSucceeded = "SUCCEEDED"
	statusFailed    = "FAILED"
)

// agentError is IPA's RESTError as it travels: the conductor puts details (or message)
// into the node's last_error.
type agentError struct {
	Type    string `json:"type"`
	Code    int    `json:"code"`
	Message string `json:"message"`
	Details string `json:"details"`
}

func (e *agentError) Error() string { return e.Message + ": " + e.Details }

func newAgentError(typ, message, details string) *agentError {
	return &agentError{Type: typ, Code: 500, Message: message, Details: details}
}

// handler runs a command with its params; async ones run in the background.
type handler struct {
	async bool
	run   func(m *machine, params map[string]any) (map[string]any, error)
}

// serveAPI is IPA's REST API (api/app.py) for one machine.
func (m *machine) serveAPI(w http.ResponseWriter, r *http.Request, path string) {
	path = strings.TrimPrefix(path, "/v1")
	switch {
	case path == "/" || path == "":
		writeJSON(w, http.StatusOK, map[string]any{"name": "OpenStack Ironic Python Agent API",
			"versions": []any{map[string]string{"id": "v1"}}, "default_version": map[string]string{"id": "v1"}})
	case path == "/status" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"version": m.agent.IPAVersion})
	case path == "/commands/" && r.Method == http.MethodGet:
		if !m.tokenOK(r, m.agent.newerIPA()) {
			unauthorized(w)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"commands": m.history()})
	case strings.HasPrefix(path, "/commands/") && r.Method == http.MethodGet:
		if !m.tokenOK(r, m.agent.newerIPA()) {
			unauthorized(w)
			return
		}
		c := m.find(strings.TrimPrefix(path, "/commands/"))
		if c == nil {
			writeFault(w, http.StatusNotFound, "Command with id "+strings.TrimPrefix(path, "/commands/")+" not found.")
			return
		}
		if r.URL.Query().Get("wait") == "true" {
			<-c.done
		}
		writeJSON(w, http.StatusOK, m.snapshot(c))
	case path == "/commands/" && r.Method == http.MethodPost:
		if !m.tokenOK(r, true) {
			unauthorized(w)
			return
		}
		var body struct {
			Name   string         `json:"name"`
			Params map[string]any `json:"params"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Name == "" || body.Params == nil {
			writeFault(w, http.StatusBadRequest, "400 Bad Request: Missing or invalid name or params")
			return
		}
		c, status, fault := m.execute(body.Name, body.Params)
		if c == nil {
			writeFault(w, status, fault)
			return
		}
		if r.URL.Query().Get("wait") == "true" {
			<-c.done
		}
		writeJSON(w, http.StatusOK, m.snapshot(c))
	default:
		writeFault(w, http.StatusNotFound, "404 Not Found")
	}
}

func (m *machine) tokenOK(r *http.Request, required bool) bool {
	if !required {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t := r.URL.Query().Get("agent_token")
	return t != "" && t == m.token
}

// execute starts a command, as IPA's ExecuteCommandMixin: an unknown one is a 400, a
// new one while an asynchronous one runs is "Agent is busy" (409).
func (m *machine) execute(name string, params map[string]any) (*command, int, string) {
	h, ok := commands[name]
	if !ok {
		return nil, http.StatusBadRequest, "Invalid command: Unknown command: " + name
	}
	_, short, _ := strings.Cut(name, ".")
	c := &command{ID: uuid.NewString(), Name: short, Status: statusRunning, done: make(chan struct{})}
	m.mu.Lock()
	if m.busy {
		m.mu.Unlock()
		return nil, http.StatusConflict, "Agent is busy: executing command " + name
	}
	m.commands = append(m.commands, c)
	if h.async {
		m.busy = true
	}
	m.mu.Unlock()
	m.note("command %s", name)
	finish := func() {
		result, err := h.run(m, params)
		m.mu.Lock()
		if err != nil {
			ae, ok := err.(*agentError)
			if !ok {
				ae = newAgentError("CommandExecutionError", "Command execution failed", err.Error())
			}
			c.Status, c.Error = statusFailed, ae
		} else {
			c.Status, c.Result = statusSucceeded, result
		}
		if h.async {
			m.busy = false
		}
		m.mu.Unlock()
		close(c.done)
		if err != nil {
			m.note("command %s failed: %v", name, err)
		}
	}
	if !h.async {
		finish()
		return c, 0, ""
	}
	go func() {
		finish()
		m.heartbeatSoon()
	}()
	return c, 0, ""
}

func (m *machine) history() []map[string]any {
	m.mu.Lock()
	list := append([]*command(nil), m.commands...)
	m.mu.Unlock()
	out := make([]map[string]any, 0, len(list))
	for _, c := range list {
		out = append(out, m.snapshot(c))
	}
	return out
}

func (m *machine) find(id string) *command {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.commands {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// snapshot serialises a command under the lock, as it is at this moment.
func (m *machine) snapshot(c *command) map[string]any {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]any{"id": c.ID, "command_name": c.Name, "command_status": c.Status,
		"command_error": nil, "command_result": nil}
	if c.Error != nil {
		out["command_error"] = c.Error
	}
	if c.Result != nil {
		out["command_result"] = c.Result
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeFault(w http.ResponseWriter, status int, fault string) {
	code := "Client"
	if status >= 500 {
		code = "Server"
	}
	writeJSON(w, status, map[string]string{"faultcode": code, "faultstring": fault})
}

func unauthorized(w http.ResponseWriter) {
	writeFault(w, http.StatusUnauthorized, "401 Unauthorized: Token invalid.")
}
