package main

// The management objects the stand-in keeps: v3 clusters and their
// registration tokens. Only fields a test or an agent can observe are kept.

type Cluster struct {
	ID          string `json:"id"`
	Name        string `json:"name"` // the v3 "name" is Rancher's spec.displayName
	Description string `json:"description,omitempty"`
	UUID        string `json:"uuid"`
	Created     string `json:"created"`
	CreatedTS   int64  `json:"createdTS"`

	// Status written by the tunnel authorizer when the main tunnel connects.
	Driver      string `json:"driver,omitempty"`
	APIEndpoint string `json:"apiEndpoint,omitempty"`
	CACert      string `json:"caCert,omitempty"` // base64 of PEM, as the agent sent it
	// ServiceAccountToken is the downstream bearer token. Rancher keeps it in
	// a Secret; here it lives in the state file (test data only).
	ServiceAccountToken string `json:"serviceAccountToken,omitempty"`

	Conditions []Condition `json:"conditions"`

	NodeCount   int               `json:"nodeCount"`
	Capacity    map[string]string `json:"capacity,omitempty"`
	Allocatable map[string]string `json:"allocatable,omitempty"`
	Requested   map[string]string `json:"requested,omitempty"`
	Limits      map[string]string `json:"limits,omitempty"`
	// Numeric base-unit versions of the totals, exposed on the control API only.
	Numeric map[string]map[string]float64 `json:"numeric,omitempty"`

	Version map[string]string `json:"version,omitempty"` // downstream /version, when known

	// NamespacePending: the management namespace c-xxxxx does not exist
	// yet (Rancher creates it asynchronously after POST /v3/clusters).
	NamespacePending bool `json:"namespacePending,omitempty"`
	// SystemUserID is the cluster's system account user (u-xxxxx), made by
	// clusterdeploy (SystemAccountCreated).
	SystemUserID string `json:"systemUserId,omitempty"`

	Removing bool   `json:"removing,omitempty"`
	Removed  string `json:"removed,omitempty"`
}

type RegistrationToken struct {
	Name      string `json:"name"` // crt-xxxxx
	ClusterID string `json:"clusterId"`
	Token     string `json:"token"`
	UUID      string `json:"uuid"`
	Created   string `json:"created"`
	CreatedTS int64  `json:"createdTS"`
	// StatusFilled mirrors Rancher's asynchronous status controller: the URL
	// and command fields appear only after it ran with a server-url set.
	StatusFilled bool `json:"statusFilled,omitempty"`
}

func (t *RegistrationToken) ID() string { return t.ClusterID + ":" + t.Name }

// newCluster returns a freshly created imported cluster, before any agent
// connected: Rancher's provisioner reports it as pending.
func newCluster(id, name, description string, nowUnixMilli int64, created string) *Cluster {
	c := &Cluster{ID: id, Name: name, Description: description, UUID: newUUID(), Created: created, CreatedTS: nowUnixMilli}
	setCondition(&c.Conditions, condPending, "Unknown", "", "waiting for full cluster configuration")
	setCondition(&c.Conditions, condProvisioned, "Unknown", "", "")
	setCondition(&c.Conditions, condWaiting, "Unknown", "", "Waiting for API to be available")
	setCondition(&c.Conditions, condAgentDeployed, "Unknown", "", "")
	return c
}
