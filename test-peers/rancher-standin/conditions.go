package main

// Cluster conditions and the state Rancher derives from them
// (rancher:pkg/schemas/status, wrangler summary): an error condition wins,
// then the first condition still in progress names a transitioning state,
// otherwise the cluster is "active".

import "time"

type Condition struct {
	Type               string `json:"type"`
	Status             string `json:"status"` // "True", "False" or "Unknown"
	LastUpdateTime     string `json:"lastUpdateTime,omitempty"`
	LastTransitionTime string `json:"lastTransitionTime,omitempty"`
	Reason             string `json:"reason,omitempty"`
	Message            string `json:"message,omitempty"`
}

const (
	condPending       = "Pending"
	condProvisioned   = "Provisioned"
	condWaiting       = "Waiting"
	condConnected     = "Connected"
	condReady         = "Ready"
	condAgentDeployed = "AgentDeployed"
	condSAMigrated    = "ServiceAccountSecretsMigrated"
	// SystemAccountCreated: clusterdeploy made the cluster's system account.
	condSystemAccountCreated = "SystemAccountCreated"
)

// transitioningStates maps the conditions that gate activation, in the
// order they are evaluated, to the state shown while they are Unknown.
var transitioningStates = []struct{ cond, state string }{
	{condPending, "pending"},
	{condProvisioned, "provisioning"},
	{condWaiting, "waiting"},
	{condAgentDeployed, "provisioning"},
}

func nowRFC3339() string { return time.Now().UTC().Format(time.RFC3339) }

func findCondition(conds []Condition, typ string) *Condition {
	for i := range conds {
		if conds[i].Type == typ {
			return &conds[i]
		}
	}
	return nil
}

// setCondition updates or appends a condition; it reports whether anything
// visible changed, so callers can skip persisting no-op updates.
func setCondition(conds *[]Condition, typ, status, reason, message string) bool {
	now := nowRFC3339()
	if c := findCondition(*conds, typ); c != nil {
		if c.Status == status && c.Reason == reason && c.Message == message {
			return false
		}
		if c.Status != status {
			c.LastTransitionTime = now
		}
		c.Status, c.Reason, c.Message, c.LastUpdateTime = status, reason, message, now
		return true
	}
	*conds = append(*conds, Condition{Type: typ, Status: status, Reason: reason, Message: message, LastUpdateTime: now, LastTransitionTime: now})
	return true
}

func conditionIs(conds []Condition, typ, status string) bool {
	c := findCondition(conds, typ)
	return c != nil && c.Status == status
}

// summarizeState returns state, transitioning ("yes", "no", "error") and
// transitioningMessage as the v3 API shows them.
func summarizeState(conds []Condition, removing bool) (string, string, string) {
	if removing {
		return "removing", "yes", ""
	}
	if c := findCondition(conds, condReady); c != nil && c.Status == "False" {
		return "unavailable", "error", c.Message
	}
	for _, ts := range transitioningStates {
		c := findCondition(conds, ts.cond)
		if c == nil {
			continue
		}
		switch c.Status {
		case "Unknown":
			return ts.state, "yes", c.Message
		case "False":
			return ts.state, "error", c.Message
		}
	}
	return "active", "no", ""
}
