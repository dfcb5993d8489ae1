package main

// One manager per provisioned cluster plays Rancher's per-cluster
// controllers: the cluster manager's start gate (GET kube-system through the
// tunnel), the node syncer (list+watch nodes, cluster totals), the health
// syncer (Ready/Waiting), the clusterconnected checker (Steve /ping,
// Connected) and clusterdeploy (AgentDeployed). Managers start when a main
// tunnel first connects, or at process start for clusters provisioned
// before a restart, and stop when the cluster is deleted.

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

type Managers struct {
	a    *App
	ctx  context.Context
	mu   sync.Mutex
	byID map[string]*clusterManager
}

func NewManagers(ctx context.Context, a *App) *Managers {
	return &Managers{a: a, ctx: ctx, byID: map[string]*clusterManager{}}
}

func (m *Managers) get(id string) *clusterManager {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byID[id]
}

func (m *Managers) ensure(id string) *clusterManager {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cm := m.byID[id]; cm != nil {
		return cm
	}
	c, ok := m.a.store.Get(id)
	if !ok || c.Removing {
		return nil
	}
	ctx, cancel := context.WithCancel(m.ctx)
	cm := &clusterManager{a: m.a, id: id, ctx: ctx, cancel: cancel, kickCh: make(chan struct{}, 1)}
	m.byID[id] = cm
	go cm.nodeLoop()
	go cm.tickLoop(m.a.cfg.HealthInterval, cm.healthCheck)
	go cm.tickLoop(m.a.cfg.PingInterval, cm.connectedCheck)
	return cm
}

// StartExisting resumes managers for clusters provisioned before a restart.
func (m *Managers) StartExisting() {
	for _, c := range m.a.store.List() {
		if conditionIs(c.Conditions, condProvisioned, "True") && !c.Removing {
			m.ensure(c.ID)
		}
	}
}

func (m *Managers) MainSessionConnected(id string) {
	if cm := m.ensure(id); cm != nil {
		// remotedialer registers the session right after the hijack; give it
		// a moment so the first dial finds it.
		time.AfterFunc(50*time.Millisecond, cm.kick)
	}
}

func (m *Managers) MainSessionEnded(id string) {
	if cm := m.get(id); cm != nil {
		cm.kick()
	}
}

func (m *Managers) CredentialsChanged(id string) {
	if cm := m.get(id); cm != nil {
		cm.resetDownstream()
		cm.kick()
	}
}

func (m *Managers) Stop(id string) {
	m.mu.Lock()
	cm := m.byID[id]
	delete(m.byID, id)
	m.mu.Unlock()
	if cm != nil {
		cm.cancel()
		cm.resetDownstream()
	}
}

// Runtime returns the counters of a cluster's manager (zero if none).
func (m *Managers) Runtime(id string) ManagerRuntime {
	if cm := m.get(id); cm != nil {
		cm.rtMu.Lock()
		defer cm.rtMu.Unlock()
		return cm.rt
	}
	return ManagerRuntime{}
}

// ManagerRuntime is what the control API reports about the controllers.
type ManagerRuntime struct {
	PingSuccesses     int        `json:"pingSuccesses"`
	PingFailures      int        `json:"pingFailures"`
	LastPingError     string     `json:"lastPingError,omitempty"`
	LastPingAt        *time.Time `json:"lastPingAt,omitempty"`
	HealthSuccesses   int        `json:"healthSuccesses"`
	HealthFailures    int        `json:"healthFailures"`
	LastHealthError   string     `json:"lastHealthError,omitempty"`
	KubeSystemChecked bool       `json:"kubeSystemChecked"`
	NodeLists         int        `json:"nodeLists"`
	NodeWatches       int        `json:"nodeWatches"`
	NodeWatchEvents   int        `json:"nodeWatchEvents"`
	LastNodeError     string     `json:"lastNodeError,omitempty"`
	NodeProblems      []string   `json:"nodeProblems,omitempty"`
	NotReadyNodes     int        `json:"notReadyNodes"`
	DeployAttempts    int        `json:"deployAttempts"`
	LastDeployError   string     `json:"lastDeployError,omitempty"`
	DeployedObjects   []string   `json:"deployedObjects,omitempty"`
}

type clusterManager struct {
	a      *App
	id     string
	ctx    context.Context
	cancel context.CancelFunc
	kickCh chan struct{}

	dsMu  sync.Mutex
	ds    *Downstream
	dsKey string

	rtMu sync.Mutex
	rt   ManagerRuntime

	deploying atomic.Bool
}

func (cm *clusterManager) kick() {
	select {
	case cm.kickCh <- struct{}{}:
	default:
	}
}

func (cm *clusterManager) record(fn func(rt *ManagerRuntime)) {
	cm.rtMu.Lock()
	fn(&cm.rt)
	cm.rtMu.Unlock()
}

// wait sleeps for d or until kicked; false when the manager is stopping.
func (cm *clusterManager) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-cm.ctx.Done():
		return false
	case <-cm.kickCh:
		return true
	case <-t.C:
		return true
	}
}

func (cm *clusterManager) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-cm.ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// downstream returns a client for the cluster's current credentials,
// rebuilding it when the agent reported a new address, CA or token.
func (cm *clusterManager) downstream() (*Downstream, error) {
	c, ok := cm.a.store.Get(cm.id)
	if !ok {
		return nil, context.Canceled
	}
	key := c.APIEndpoint + "|" + c.CACert + "|" + c.ServiceAccountToken
	cm.dsMu.Lock()
	defer cm.dsMu.Unlock()
	if cm.ds != nil && cm.dsKey == key {
		return cm.ds, nil
	}
	if cm.ds != nil {
		cm.ds.Close()
	}
	ds, err := NewDownstream(cm.a.tunnel, c)
	if err != nil {
		cm.ds = nil
		return nil, err
	}
	cm.ds, cm.dsKey = ds, key
	return ds, nil
}

func (cm *clusterManager) resetDownstream() {
	cm.dsMu.Lock()
	defer cm.dsMu.Unlock()
	if cm.ds != nil {
		cm.ds.Close()
		cm.ds = nil
	}
}

func (cm *clusterManager) tickLoop(every time.Duration, fn func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-cm.ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// apiUp is healthsyncer.IsAPIUp: GET kube-system; found or not found both
// prove the API answers.
func (cm *clusterManager) apiUp(ds *Downstream) error {
	ctx, cancel := context.WithTimeout(cm.ctx, 5*time.Second)
	defer cancel()
	err := ds.GetJSON(ctx, "/api/v1/namespaces/kube-system", nil)
	if err != nil && !isStatus(err, http.StatusNotFound) {
		return err
	}
	return nil
}

// nodeLoop: wait for a main session, pass the start gate, then list and
// watch nodes until the session or the stream breaks, and start over.
func (cm *clusterManager) nodeLoop() {
	backoff := 500 * time.Millisecond
	fail := func(err error) bool {
		cm.record(func(rt *ManagerRuntime) { rt.LastNodeError = err.Error() })
		cm.a.log.Debug("node sync", "cluster", cm.id, "err", err)
		ok := cm.wait(backoff)
		backoff = min(backoff*2, 5*time.Second)
		return ok
	}
	for cm.ctx.Err() == nil {
		if !cm.a.tunnel.HasSession(cm.id) {
			if !cm.wait(2 * time.Second) {
				return
			}
			continue
		}
		ds, err := cm.downstream()
		if err != nil {
			if !fail(err) {
				return
			}
			continue
		}
		if err := cm.apiUp(ds); err != nil {
			if !fail(err) {
				return
			}
			continue
		}
		cm.record(func(rt *ManagerRuntime) { rt.KubeSystemChecked = true })
		nodes, rv, err := listNodes(cm.ctx, ds)
		if err != nil {
			if !fail(err) {
				return
			}
			continue
		}
		cm.record(func(rt *ManagerRuntime) { rt.NodeLists++; rt.LastNodeError = "" })
		backoff = 500 * time.Millisecond
		cm.nodesChanged(nodes)
		for cm.ctx.Err() == nil {
			started := time.Now()
			rv, err = watchNodes(cm.ctx, ds, rv, nodes, func() {
				cm.record(func(rt *ManagerRuntime) { rt.NodeWatchEvents++ })
				cm.nodesChanged(nodes)
			})
			cm.record(func(rt *ManagerRuntime) { rt.NodeWatches++ })
			if err != nil || !cm.a.tunnel.HasSession(cm.id) {
				break
			}
			// An API that ends watches at once (or ignores watch=true) must
			// not turn this into a busy loop.
			if time.Since(started) < time.Second && !cm.sleep(time.Second) {
				return
			}
		}
		if err != nil && err != errWatchExpired && !fail(err) {
			return
		}
	}
}

func (cm *clusterManager) nodesChanged(nodes map[string]kubeNode) {
	t := computeTotals(nodes)
	cm.record(func(rt *ManagerRuntime) { rt.NodeProblems = t.Problems; rt.NotReadyNodes = t.NotReady })
	cm.a.store.Update(cm.id, func(c *Cluster) bool { return applyTotals(c, t) })
	if t.NodeCount > 0 {
		cm.maybeDeploy()
	}
}

// healthCheck is healthsyncer.updateClusterHealth.
func (cm *clusterManager) healthCheck() {
	c, ok := cm.a.store.Get(cm.id)
	if !ok || c.Removing || !conditionIs(c.Conditions, condProvisioned, "True") {
		return
	}
	// Ready is owned by clusterconnected while the agent is disconnected.
	if conditionIs(c.Conditions, condConnected, "False") {
		return
	}
	var err error
	for i := 0; ; i++ {
		var ds *Downstream
		if ds, err = cm.downstream(); err == nil {
			err = cm.apiUp(ds)
		}
		if err == nil || i > 1 {
			break
		}
		if !cm.sleep(min(5*time.Second, cm.a.cfg.HealthInterval/3)) {
			return
		}
	}
	if err == nil {
		cm.record(func(rt *ManagerRuntime) { rt.HealthSuccesses++; rt.LastHealthError = "" })
		if c.Version == nil {
			cm.fetchVersion()
		}
	} else {
		cm.record(func(rt *ManagerRuntime) { rt.HealthFailures++; rt.LastHealthError = err.Error() })
	}
	cm.a.store.Update(cm.id, func(c *Cluster) bool {
		if conditionIs(c.Conditions, condConnected, "False") {
			return false
		}
		if err != nil {
			return setCondition(&c.Conditions, condReady, "False", "ComponentStatusFetchingFailure",
				"cluster health check failed: Failed to communicate with API server during namespace check: "+err.Error())
		}
		ch := setCondition(&c.Conditions, condReady, "True", "", "")
		return setCondition(&c.Conditions, condWaiting, "True", "", "") || ch
	})
	if err == nil {
		cm.maybeDeployIfNodes()
	}
}

func (cm *clusterManager) fetchVersion() {
	ds, err := cm.downstream()
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(cm.ctx, 5*time.Second)
	defer cancel()
	var v map[string]any
	if ds.GetJSON(ctx, "/version", &v) != nil {
		return
	}
	ver := map[string]string{}
	for k, val := range v {
		if s, ok := val.(string); ok {
			ver[k] = s
		}
	}
	cm.a.store.Update(cm.id, func(c *Cluster) bool { c.Version = ver; return true })
}

// connectedCheck is clusterconnected: Connected=True only when a Steve
// session stv-cluster-<id> exists and GET http://not-used/ping through it
// answers 200; otherwise Connected=False and Ready=False (Disconnected).
func (cm *clusterManager) connectedCheck() {
	c, ok := cm.a.store.Get(cm.id)
	if !ok || c.Removing || !conditionIs(c.Conditions, condProvisioned, "True") {
		return
	}
	err := cm.a.pingSteve(cm.ctx, cm.id)
	if cm.ctx.Err() != nil {
		return
	}
	now := time.Now()
	cm.record(func(rt *ManagerRuntime) {
		rt.LastPingAt = &now
		if err == nil {
			rt.PingSuccesses++
			rt.LastPingError = ""
		} else {
			rt.PingFailures++
			rt.LastPingError = err.Error()
		}
	})
	cm.a.store.Update(cm.id, func(c *Cluster) bool {
		if err == nil {
			return setCondition(&c.Conditions, condConnected, "True", "", "")
		}
		ch := setCondition(&c.Conditions, condConnected, "False", "", "")
		return setCondition(&c.Conditions, condReady, "False", "Disconnected", "Cluster agent is not connected") || ch
	})
}

func (cm *clusterManager) maybeDeployIfNodes() {
	if c, ok := cm.a.store.Get(cm.id); ok && c.NodeCount > 0 {
		cm.maybeDeploy()
	}
}

// maybeDeploy runs clusterdeploy once the cluster has a node, until it succeeded.
func (cm *clusterManager) maybeDeploy() {
	c, ok := cm.a.store.Get(cm.id)
	if !ok || c.Removing || conditionIs(c.Conditions, condAgentDeployed, "True") {
		return
	}
	if !cm.deploying.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer cm.deploying.Store(false)
		cm.deployAgent()
	}()
}
