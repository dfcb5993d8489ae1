package main

// The stand-in's "etcd": clusters and registration tokens in memory behind
// one mutex, persisted as JSON in --data-dir so a test can kill and relaunch
// the process and find the same clusters, tokens and CA (a Rancher restart).

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

type Store struct {
	mu       sync.Mutex
	clusters map[string]*Cluster
	tokens   map[string]*RegistrationToken // by token value
	path     string
	dirty    chan struct{}
	log      *slog.Logger
}

type persistedState struct {
	Version  int                  `json:"version"`
	Clusters []*Cluster           `json:"clusters"`
	Tokens   []*RegistrationToken `json:"tokens"`
}

var errNotUnique = errors.New("not unique")

func NewStore(dataDir string, log *slog.Logger) (*Store, error) {
	s := &Store{
		clusters: map[string]*Cluster{},
		tokens:   map[string]*RegistrationToken{},
		path:     filepath.Join(dataDir, "state.json"),
		dirty:    make(chan struct{}, 1),
		log:      log,
	}
	raw, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	var st persistedState
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	for _, c := range st.Clusters {
		s.clusters[c.ID] = c
	}
	for _, t := range st.Tokens {
		s.tokens[t.Token] = t
	}
	log.Info("state loaded", "clusters", len(s.clusters), "tokens", len(s.tokens))
	return s, nil
}

// markDirty asks the saver to write soon; callers hold s.mu or not, either is fine.
func (s *Store) markDirty() {
	select {
	case s.dirty <- struct{}{}:
	default:
	}
}

// RunSaver coalesces writes: at most one save per 200 ms, and a final save when stop closes.
func (s *Store) RunSaver(stop <-chan struct{}) {
	for {
		select {
		case <-s.dirty:
			time.Sleep(200 * time.Millisecond)
			if err := s.Save(); err != nil {
				s.log.Error("saving state", "err", err)
			}
		case <-stop:
			if err := s.Save(); err != nil {
				s.log.Error("saving state", "err", err)
			}
			return
		}
	}
}

// Save writes the state atomically (write to a temp file, then rename).
func (s *Store) Save() error {
	s.mu.Lock()
	st := persistedState{Version: 1}
	for _, id := range sortedKeys(s.clusters) {
		c := *s.clusters[id]
		c.Conditions = append([]Condition(nil), c.Conditions...)
		st.Clusters = append(st.Clusters, &c)
	}
	for _, k := range sortedKeys(s.tokens) {
		t := *s.tokens[k]
		st.Tokens = append(st.Tokens, &t)
	}
	s.mu.Unlock()
	raw, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.path)
}

// Update runs fn on the cluster under the lock; fn returns whether it changed anything.
func (s *Store) Update(id string, fn func(c *Cluster) bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clusters[id]
	if !ok {
		return false
	}
	if fn(c) {
		s.markDirty()
		return true
	}
	return false
}

// Get returns a copy of the cluster, safe to read without the lock.
func (s *Store) Get(id string) (Cluster, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clusters[id]
	if !ok {
		return Cluster{}, false
	}
	return copyCluster(c), true
}

func copyCluster(c *Cluster) Cluster {
	out := *c
	out.Conditions = append([]Condition(nil), c.Conditions...)
	return out
}

// List returns copies of all clusters sorted by id (the pagination order).
func (s *Store) List() []Cluster {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Cluster, 0, len(s.clusters))
	for _, id := range sortedKeys(s.clusters) {
		out = append(out, copyCluster(s.clusters[id]))
	}
	return out
}

func (s *Store) CreateCluster(name, description string, namespacePending bool) (Cluster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.clusters {
		if c.Name == name {
			return Cluster{}, errNotUnique
		}
	}
	id := newClusterID()
	for s.clusters[id] != nil {
		id = newClusterID()
	}
	now := time.Now().UTC()
	c := newCluster(id, name, description, now.UnixMilli(), now.Format(time.RFC3339))
	c.NamespacePending = namespacePending
	s.clusters[id] = c
	s.markDirty()
	return copyCluster(c), nil
}

// RemoveCluster deletes the cluster and its registration tokens, as deleting
// the cluster's namespace does in Rancher.
func (s *Store) RemoveCluster(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.clusters, id)
	for k, t := range s.tokens {
		if t.ClusterID == id {
			delete(s.tokens, k)
		}
	}
	s.markDirty()
}

func (s *Store) CreateToken(clusterID string) (RegistrationToken, error) {
	return s.CreateTokenNamed(clusterID, "")
}

// CreateTokenNamed creates a registration token with a given name
// ("system" for clusterdeploy's) or a generated crt-xxxxx one.
func (s *Store) CreateTokenNamed(clusterID, name string) (RegistrationToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clusters[clusterID]; !ok {
		return RegistrationToken{}, fmt.Errorf("cluster %s not found", clusterID)
	}
	if name == "" {
		name = newCRTName()
	}
	for _, t := range s.tokens {
		if t.ClusterID == clusterID && t.Name == name {
			return *t, nil
		}
	}
	now := time.Now().UTC()
	t := &RegistrationToken{Name: name, ClusterID: clusterID, Token: newRegistrationToken(), UUID: newUUID(), Created: now.Format(time.RFC3339), CreatedTS: now.UnixMilli()}
	s.tokens[t.Token] = t
	s.markDirty()
	return *t, nil
}

// TokenByValue is the index Rancher's tunnel authorizers use (crt.status.token).
func (s *Store) TokenByValue(token string) (RegistrationToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[token]
	if !ok {
		return RegistrationToken{}, false
	}
	return *t, true
}

// Tokens lists registration tokens, optionally only one cluster's, oldest first.
func (s *Store) Tokens(clusterID string) []RegistrationToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []RegistrationToken
	for _, t := range s.tokens {
		if clusterID == "" || t.ClusterID == clusterID {
			out = append(out, *t)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CreatedTS != out[j].CreatedTS {
			return out[i].CreatedTS < out[j].CreatedTS
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func (s *Store) MarkTokenFilled(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[token]; ok && !t.StatusFilled {
		t.StatusFilled = true
		s.markDirty()
	}
}
