package main

// One manager per provisioned cluster plays Rancher's per-cluster
// controllers, with client-go clients built like Rancher's (kube_client.go):
// the cluster manager's start gate (GET kube-system through the tunnel), the
// node syncer (a client-go node informer, cluster totals), the health syncer
// (Ready/Waiting), cluster-crtb-sync (impersonation.go), the
// clusterconnected checker (Steve /ping, Connected) and clusterdeploy
// (clusterdeploy.go, AgentDeployed). Managers start when a main tunnel first
// connects, or at process start for clusters provisioned before a restart,
// and stop when the cluster is deleted.

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
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
	cm := &clusterManager{a: m.a, id: id, ctx: ctx, cancel: cancel, kickCh: make(chan struct{}, 1),
		crtbKick: make(chan struct{}, 1), crtbs: map[string]CRTBStatus{}}
	cm.impersonator = &Impersonator{cm: cm, tokens: map[string]cachedToken{}}
	m.byID[id] = cm
	go cm.nodeLoop()
	go cm.crtbLoop()
	go cm.tickLoop(m.a.cfg.HealthInterval, cm.healthCheck)
	go cm.tickLoop(m.a.cfg.PingInterval, cm.connectedCheck)
	return cm
}

// StartExisting resumes managers for clusters provisioned before a restart.
func (m *Managers) StartExisting() {
	for _, c := range m.a.store.List() {
		if c.NamespacePending {
			m.a.scheduleNamespace(c.ID)
		}
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
		cm.kickCRTB()
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
	PingSuccesses int    `json:"pingSuccesses"`
	PingFailures  int    `json:"pingFailures"`
	LastPingError string `json:"lastPingError,omitempty"`
	// PingErrorCounts tallies every failed ping by its error text, so a
	// benchmark can tell why clusters flapped after the fact.
	PingErrorCounts   map[string]int `json:"pingErrorCounts,omitempty"`
	LastPingAt        *time.Time     `json:"lastPingAt,omitempty"`
	HealthSuccesses   int            `json:"healthSuccesses"`
	HealthFailures    int            `json:"healthFailures"`
	LastHealthError   string         `json:"lastHealthError,omitempty"`
	KubeSystemChecked bool           `json:"kubeSystemChecked"`
	NodeLists         int            `json:"nodeLists"`
	NodeWatches       int            `json:"nodeWatches"`
	NodeWatchEvents   int            `json:"nodeWatchEvents"`
	LastNodeError     string         `json:"lastNodeError,omitempty"`
	NodeProblems      []string       `json:"nodeProblems,omitempty"`
	NotReadyNodes     int            `json:"notReadyNodes"`
	DeployAttempts    int            `json:"deployAttempts"`
	LastDeployError   string         `json:"lastDeployError,omitempty"`
	DeployedObjects   []string       `json:"deployedObjects,omitempty"`
	// LastKubectlOutput is the output of the last kubectl apply (secrets masked).
	LastKubectlOutput string     `json:"lastKubectlOutput,omitempty"`
	NextDeployAt      *time.Time `json:"nextDeployAt,omitempty"`
	// cluster-crtb-sync: runs, failures, the last error, and the users whose
	// impersonator was ensured in the last run.
	CRTBSyncs          int      `json:"crtbSyncs"`
	CRTBSyncFailures   int      `json:"crtbSyncFailures"`
	LastCRTBSyncError  string   `json:"lastCrtbSyncError,omitempty"`
	ImpersonationReady []string `json:"impersonationReady,omitempty"`
	// /k8s/clusters/<id> proxy
	ProxyRequests  int    `json:"proxyRequests"`
	ProxyErrors    int    `json:"proxyErrors"`
	LastProxyError string `json:"lastProxyError,omitempty"`
}

type clusterManager struct {
	a      *App
	id     string
	ctx    context.Context
	cancel context.CancelFunc
	kickCh chan struct{}
	// crtbKick re-runs cluster-crtb-sync now (system account created, new credentials).
	crtbKick chan struct{}

	dsMu  sync.Mutex
	ds    *Downstream
	dsKey string
	kc    *KubeClients
	kcKey string
	// kcCtx ends when the clients are replaced (new agent credentials):
	// the node informer built on them stops and is rebuilt.
	kcCtx    context.Context
	kcCancel context.CancelFunc
	// the /k8s/clusters proxy's transport and the CA it was built for
	proxyTr *http.Transport
	proxyCA string

	rtMu  sync.Mutex
	rt    ManagerRuntime
	crtbs map[string]CRTBStatus

	impersonator *Impersonator

	deploying    atomic.Bool
	deployMu     sync.Mutex
	nextDeployAt time.Time
	deployDelay  time.Duration
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

// credentialsKey identifies the agent credentials a client was built for.
func credentialsKey(c Cluster) string {
	return c.APIEndpoint + "|" + c.CACert + "|" + c.ServiceAccountToken
}

// downstream returns the raw HTTP client (used by the probe), rebuilt when
// the agent reported a new address, CA or token.
func (cm *clusterManager) downstream() (*Downstream, error) {
	c, ok := cm.a.store.Get(cm.id)
	if !ok {
		return nil, context.Canceled
	}
	key := credentialsKey(c)
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

// kube returns the client-go clients for the cluster's current credentials
// (Rancher's UserContext), rebuilt when they change.
func (cm *clusterManager) kube() (*KubeClients, error) {
	kc, _, err := cm.kubeWithCtx()
	return kc, err
}

func (cm *clusterManager) kubeWithCtx() (*KubeClients, context.Context, error) {
	c, ok := cm.a.store.Get(cm.id)
	if !ok {
		return nil, nil, context.Canceled
	}
	key := credentialsKey(c)
	cm.dsMu.Lock()
	defer cm.dsMu.Unlock()
	if cm.kc != nil && cm.kcKey == key {
		return cm.kc, cm.kcCtx, nil
	}
	cm.dropKubeLocked()
	kc, err := NewKubeClients(cm.a.tunnel, c, cm.a.cfg.WriteContentType)
	if err != nil {
		return nil, nil, err
	}
	cm.kc, cm.kcKey = kc, key
	cm.kcCtx, cm.kcCancel = context.WithCancel(cm.ctx)
	return kc, cm.kcCtx, nil
}

func (cm *clusterManager) dropKubeLocked() {
	if cm.kcCancel != nil {
		cm.kcCancel()
	}
	if cm.kc != nil {
		cm.kc.Close()
	}
	cm.kc, cm.kcCancel = nil, nil
}

func (cm *clusterManager) resetDownstream() {
	cm.dsMu.Lock()
	defer cm.dsMu.Unlock()
	if cm.ds != nil {
		cm.ds.Close()
		cm.ds = nil
	}
	cm.dropKubeLocked()
	if cm.proxyTr != nil {
		cm.proxyTr.CloseIdleConnections()
		cm.proxyTr = nil
	}
	cm.impersonator.mu.Lock()
	cm.impersonator.tokens = map[string]cachedToken{}
	cm.impersonator.mu.Unlock()
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

// apiUp is healthsyncer.IsAPIUp through Rancher's K8sClient (client-go
// typed: Accept protobuf): GET kube-system; found or not found both prove
// the API answers.
func (cm *clusterManager) apiUp(kc *KubeClients) error {
	ctx, cancel := context.WithTimeout(cm.ctx, 5*time.Second)
	defer cancel()
	_, err := kc.Typed.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return nil
}

// nodeLoop: wait for a main session and the start gate (kube-system), then
// run a client-go node informer on the wrangler-style client (Accept
// protobuf, like Rancher's lasso caches: with client-go 1.36 that is a
// watch-list stream first, a list when the server does not support it, then
// watches, re-listing on 410) until the manager stops or the agent's
// credentials change.
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
		kc, kctx, err := cm.kubeWithCtx()
		if err != nil {
			if !fail(err) {
				return
			}
			continue
		}
		if err := cm.apiUp(kc); err != nil {
			if !fail(err) {
				return
			}
			continue
		}
		cm.record(func(rt *ManagerRuntime) { rt.KubeSystemChecked = true })
		cm.kickCRTB()
		backoff = 500 * time.Millisecond
		cm.runNodeInformer(kctx, kc)
	}
}

func (cm *clusterManager) runNodeInformer(ctx context.Context, kc *KubeClients) {
	nodes := kc.Wrangler.CoreV1().Nodes()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			list, err := nodes.List(ctx, opts)
			cm.record(func(rt *ManagerRuntime) {
				rt.NodeLists++
				if err == nil {
					rt.LastNodeError = ""
				}
			})
			return list, err
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			cm.record(func(rt *ManagerRuntime) { rt.NodeWatches++ })
			return nodes.Watch(ctx, opts)
		},
	}
	inf := cache.NewSharedIndexInformer(lw, &corev1.Node{}, 0, cache.Indexers{})
	_ = inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		cm.record(func(rt *ManagerRuntime) { rt.LastNodeError = err.Error() })
		cm.a.log.Debug("node watch", "cluster", cm.id, "err", err)
	})
	changed := make(chan struct{}, 1)
	notify := func() {
		cm.record(func(rt *ManagerRuntime) { rt.NodeWatchEvents++ })
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { notify() },
		UpdateFunc: func(any, any) { notify() },
		DeleteFunc: func(any) { notify() },
	})
	go inf.RunWithContext(ctx)
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return
	}
	recompute := func() {
		set := map[string]kubeNode{}
		for _, o := range inf.GetStore().List() {
			if n, ok := o.(*corev1.Node); ok {
				set[n.Name] = kubeNodeFrom(n)
			}
		}
		cm.nodesChanged(set)
	}
	recompute()
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			recompute()
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
		var kc *KubeClients
		if kc, err = cm.kube(); err == nil {
			err = cm.apiUp(kc)
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

// fetchVersion reads /version with the typed client's discovery client.
func (cm *clusterManager) fetchVersion() {
	kc, err := cm.kube()
	if err != nil {
		return
	}
	info, err := kc.Typed.Discovery().ServerVersion()
	if err != nil {
		return
	}
	ver := map[string]string{
		"major": info.Major, "minor": info.Minor, "gitVersion": info.GitVersion, "gitCommit": info.GitCommit,
		"gitTreeState": info.GitTreeState, "buildDate": info.BuildDate, "goVersion": info.GoVersion,
		"compiler": info.Compiler, "platform": info.Platform,
	}
	for k, v := range ver {
		if v == "" {
			delete(ver, k)
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
			// A new map each time: Runtime hands out copies of rt that
			// share it, and the control API encodes those unlocked.
			counts := maps.Clone(rt.PingErrorCounts)
			if counts == nil {
				counts = map[string]int{}
			}
			counts[err.Error()]++
			rt.PingErrorCounts = counts
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

// maybeDeploy runs clusterdeploy once the cluster has a node, until it
// succeeded; after a failed attempt not before the backoff passed (5 s,
// doubling up to 1 min, like a controller requeueing with rate limiting).
func (cm *clusterManager) maybeDeploy() {
	c, ok := cm.a.store.Get(cm.id)
	if !ok || c.Removing || conditionIs(c.Conditions, condAgentDeployed, "True") {
		return
	}
	cm.deployMu.Lock()
	wait := time.Until(cm.nextDeployAt)
	cm.deployMu.Unlock()
	if wait > 0 {
		return
	}
	if !cm.deploying.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer cm.deploying.Store(false)
		ok := cm.deployAgent()
		cm.deployMu.Lock()
		defer cm.deployMu.Unlock()
		if ok {
			cm.deployDelay, cm.nextDeployAt = 0, time.Time{}
			cm.record(func(rt *ManagerRuntime) { rt.NextDeployAt = nil })
			return
		}
		if cm.deployDelay == 0 {
			cm.deployDelay = 5 * time.Second
		} else {
			cm.deployDelay = min(cm.deployDelay*2, time.Minute)
		}
		cm.nextDeployAt = time.Now().Add(cm.deployDelay)
		next := cm.nextDeployAt
		cm.record(func(rt *ManagerRuntime) { rt.NextDeployAt = &next })
		time.AfterFunc(cm.deployDelay, cm.maybeDeployIfNodes)
	}()
}

func (cm *clusterManager) kickCRTB() {
	select {
	case cm.crtbKick <- struct{}{}:
	default:
	}
}

// crtbLoop is cluster-crtb-sync for the cluster's CRTBs: once the user
// controllers started (kube-system answered), sync every binding; on an
// error log it the way a wrangler handler error is logged and try again in
// 5 s; when all succeeded, again after 10 min or when kicked (system
// account created, new agent credentials).
func (cm *clusterManager) crtbLoop() {
	for {
		select {
		case <-cm.ctx.Done():
			return
		case <-cm.crtbKick:
		}
		for cm.ctx.Err() == nil {
			c, ok := cm.a.store.Get(cm.id)
			if !ok || c.Removing {
				return
			}
			failed := cm.syncAllCRTBs(c)
			delay := 10 * time.Minute
			if failed {
				delay = 5 * time.Second
			}
			t := time.NewTimer(delay)
			select {
			case <-cm.ctx.Done():
				t.Stop()
				return
			case <-cm.crtbKick:
			case <-t.C:
			}
			t.Stop()
		}
	}
}

func (cm *clusterManager) syncAllCRTBs(c Cluster) (failed bool) {
	if !cm.a.tunnel.HasSession(cm.id) {
		return true
	}
	var ready []string
	for _, b := range cm.a.crtbsOf(c) {
		ctx, cancel := context.WithTimeout(cm.ctx, 60*time.Second)
		conds, err := cm.syncCRTB(ctx, b)
		cancel()
		now := time.Now()
		b.RemoteConditions, b.LastSync = conds, &now
		cm.rtMu.Lock()
		cm.crtbs[b.Name] = b
		cm.rtMu.Unlock()
		cm.record(func(rt *ManagerRuntime) {
			rt.CRTBSyncs++
			if err != nil {
				rt.CRTBSyncFailures++
				rt.LastCRTBSyncError = err.Error()
			}
		})
		if err != nil {
			failed = true
			if cm.ctx.Err() == nil {
				cm.a.log.Warn(fmt.Sprintf("error syncing '%s/%s': handler cluster-crtb-sync: %v, requeuing", b.Namespace, b.Name, err), "cluster", cm.id)
			}
			continue
		}
		ready = append(ready, b.UserName)
	}
	if !failed {
		cm.record(func(rt *ManagerRuntime) { rt.LastCRTBSyncError = "" })
	}
	cm.record(func(rt *ManagerRuntime) { rt.ImpersonationReady = ready })
	return failed
}

// CRTBs returns the last sync state of the cluster's CRTBs.
func (cm *clusterManager) CRTBs() []CRTBStatus {
	c, ok := cm.a.store.Get(cm.id)
	if !ok {
		return nil
	}
	cm.rtMu.Lock()
	defer cm.rtMu.Unlock()
	var out []CRTBStatus
	for _, b := range cm.a.crtbsOf(c) {
		if got, ok := cm.crtbs[b.Name]; ok {
			b = got
		}
		if b.RemoteConditions == nil {
			b.RemoteConditions = []Condition{}
		}
		out = append(out, b)
	}
	return out
}
