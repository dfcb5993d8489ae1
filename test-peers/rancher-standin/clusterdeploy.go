package main

// clusterdeploy (rancher:pkg/controllers/management/clusterdeploy/clusterdeploy.go,
// pkg/kubectl/kubectl.go, pkg/clustermanager KubeConfig, pkg/systemaccount):
//
//  1. the cluster's API must answer (healthsyncer.IsAPIUp), else "cannot
//     connect to the cluster's Kubernetes API" and a retry;
//  2. at least one node;
//  3. SystemAccountCreated: the cluster's system account user
//     ("System account for Cluster <id>", a u-xxxxx) and its CRTB
//     <user>-admin (cluster-owner), which cluster-crtb-sync then syncs
//     downstream;
//  4. AgentDeployed.Do: render the agent manifest with the token of the
//     cluster's "system" registration token (GetOrCreateSystemClusterToken)
//     and server-url (empty: "waiting for server-url setting to be set"),
//     write a kubeconfig for <Rancher>/k8s/clusters/<id> with a system token
//     of the system user (EnsureSystemToken("agent-<user>"), generateName, so
//     agent-u-xxxxxyyyyy:<key>) and run
//         kubectl --kubeconfig <file> apply -f <yaml file>
//     (kubectl's default --validate=strict: OpenAPI and field validation
//     through the proxy) up to 5 times 5 s apart, with DISABLE_HTTP2* removed
//     from the environment. Success: AgentDeployed True (reason and message
//     cleared, as norman's condition.Do does); failure: AgentDeployed False,
//     message "Error while applying agent YAML, it will be retried
//     automatically: <exit status>, <kubectl output, newlines as spaces, the
//     first "token":"..." value REDACTED>". The system token is deleted
//     afterwards.
//
// Differences: Rancher's kubeconfig points at https://localhost:<port> with
// insecure-skip-tls-verify; the stand-in uses its listen URL and its CA.
// The stand-in also masks every secret it knows of in kubectl's output, not
// only the first "token" value.

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

var errCantConnectToAPI = errors.New("cannot connect to the cluster's Kubernetes API")

// splitManifest parses a multi-document YAML stream into objects.
func splitManifest(manifest string) ([]map[string]any, error) {
	dec := yaml.NewDecoder(strings.NewReader(manifest))
	var out []map[string]any
	for {
		var obj map[string]any
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if obj != nil {
			out = append(out, obj)
		}
	}
}

// manifestObjectNames lists "Kind/name" of the manifest's objects.
func manifestObjectNames(manifest string) []string {
	objs, err := splitManifest(manifest)
	if err != nil {
		return nil
	}
	var out []string
	for _, o := range objs {
		kind, _ := o["kind"].(string)
		meta, _ := o["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		out = append(out, kind+"/"+name)
	}
	return out
}

// systemClusterToken is GetOrCreateSystemClusterToken: the cluster's
// registration token named "system", made on first use.
func (a *App) systemClusterToken(clusterID string) (string, error) {
	for _, t := range a.store.Tokens(clusterID) {
		if t.Name == "system" {
			return t.Token, nil
		}
	}
	t, err := a.store.CreateTokenNamed(clusterID, "system")
	if err != nil {
		return "", err
	}
	a.scheduleTokenStatus(t.Token)
	return t.Token, nil
}

// kubectlPath resolves --kubectl: the kube stack's kubectl, else PATH.
func (a *App) kubectlPath() string {
	if a.cfg.Kubectl != "" {
		return a.cfg.Kubectl
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, ".cache")
		}
	}
	if cache != "" {
		p := filepath.Join(cache, "scale-cluster-agent", "kube-stack", "bin", "kubectl")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	if p, err := exec.LookPath("kubectl"); err == nil {
		return p
	}
	return "kubectl"
}

// deployAgent runs one clusterdeploy sync; it reports whether the agent is
// deployed (false: try again after the backoff).
func (cm *clusterManager) deployAgent() bool {
	cm.record(func(rt *ManagerRuntime) { rt.DeployAttempts++ })
	applied, output, err := cm.doClusterDeploy()
	cm.record(func(rt *ManagerRuntime) {
		if applied != nil {
			rt.DeployedObjects = applied
		}
		if output != "" {
			rt.LastKubectlOutput = output
		}
		if err != nil {
			rt.LastDeployError = err.Error()
		} else {
			rt.LastDeployError = ""
		}
	})
	if cm.ctx.Err() != nil {
		return false
	}
	if err != nil {
		cm.a.log.Warn("agent deploy failed", "cluster", cm.id, "err", err)
		return false
	}
	cm.a.log.Info("agent deployed", "cluster", cm.id, "objects", len(applied))
	return true
}

func (cm *clusterManager) doClusterDeploy() ([]string, string, error) {
	c, ok := cm.a.store.Get(cm.id)
	if !ok || c.Removing {
		return nil, "", context.Canceled
	}
	if !conditionIs(c.Conditions, condProvisioned, "True") {
		return nil, "", errors.New("cluster is not yet provisioned")
	}
	kc, err := cm.kube()
	if err != nil {
		return nil, "", err
	}
	if err := cm.apiUp(kc); err != nil {
		return nil, "", errCantConnectToAPI
	}
	if c.NodeCount == 0 {
		return nil, "", errors.New("no nodes yet")
	}
	// SystemAccountCreated.DoUntilTrue
	if !conditionIs(c.Conditions, condSystemAccountCreated, "True") {
		cm.a.store.Update(cm.id, func(c *Cluster) bool {
			if c.SystemUserID == "" {
				c.SystemUserID = "u-" + randomString(5)
			}
			return setCondition(&c.Conditions, condSystemAccountCreated, "True", "", "")
		})
		cm.kickCRTB()
		c, _ = cm.a.store.Get(cm.id)
	}
	applied, output, err := cm.applyAgentManifest(c)
	cm.a.store.Update(cm.id, func(c *Cluster) bool {
		if err != nil {
			return setCondition(&c.Conditions, condAgentDeployed, "False", "Error", err.Error())
		}
		return setCondition(&c.Conditions, condAgentDeployed, "True", "", "")
	})
	return applied, output, err
}

func (cm *clusterManager) applyAgentManifest(c Cluster) ([]string, string, error) {
	server := cm.a.serverURL()
	if server == "" {
		return nil, "", errors.New("waiting for server-url setting to be set")
	}
	regToken, err := cm.a.systemClusterToken(cm.id)
	if err != nil {
		return nil, "", err
	}
	manifest, err := cm.a.renderManifest(server, regToken)
	if err != nil {
		return nil, "", err
	}
	names := manifestObjectNames(manifest)
	tok := cm.a.tokens.CreateSystemToken("agent-"+c.SystemUserID, c.SystemUserID, cm.id, time.Hour)
	defer cm.a.tokens.Delete(tok.Name)

	dir := filepath.Join(cm.a.cfg.DataDir, "management-state", "tmp")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	kubeconfig, err := writeTempFile(dir, "kubeconfig-", cm.a.clusterKubeconfig(cm.id, tok.Value()))
	if err != nil {
		return nil, "", err
	}
	defer os.Remove(kubeconfig)
	yamlFile, err := writeTempFile(dir, "yaml-", []byte(manifest))
	if err != nil {
		return nil, "", err
	}
	defer os.Remove(yamlFile)

	secrets := []string{tok.Value(), tok.Key, regToken, c.ServiceAccountToken}
	var out []byte
	for i := 0; i < cm.a.cfg.KubectlTries; i++ {
		if i > 0 && !cm.sleep(cm.a.cfg.KubectlTryInterval) {
			return nil, "", context.Canceled
		}
		out, err = cm.runKubectl(kubeconfig, yamlFile)
		if err == nil {
			break
		}
		cm.a.log.Debug("clusterdeploy: kubectl apply failed", "cluster", cm.id, "try", i+1, "output", maskSecrets(string(out), secrets))
	}
	masked := maskSecrets(string(out), secrets)
	if err != nil {
		return nil, masked, fmt.Errorf("Error while applying agent YAML, it will be retried automatically: %v, %s", err, formatKubectlApplyOutput(masked))
	}
	return names, masked, nil
}

// runKubectl is pkg/kubectl Apply.
func (cm *clusterManager) runKubectl(kubeconfig, yamlFile string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(cm.ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cm.a.kubectlPath(), "--kubeconfig", kubeconfig, "apply", "-f", yamlFile)
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "DISABLE_HTTP2") {
			env = append(env, e)
		}
	}
	cmd.Env = env
	cmd.Dir = cm.a.cfg.DataDir
	return cmd.CombinedOutput()
}

// clusterKubeconfig is clustermanager KubeConfig, pointed at the stand-in's
// own /k8s/clusters/<id> with its CA.
func (a *App) clusterKubeconfig(clusterID, token string) []byte {
	cfg := map[string]any{
		"apiVersion":      "v1",
		"kind":            "Config",
		"current-context": "default",
		"clusters": []any{map[string]any{"name": "default", "cluster": map[string]any{
			"server":                     a.listenURL + "/k8s/clusters/" + clusterID,
			"certificate-authority-data": b64(a.pki.CAPEM + "\n"),
		}}},
		"contexts": []any{map[string]any{"name": "default", "context": map[string]any{"cluster": "default", "user": "user"}}},
		"users":    []any{map[string]any{"name": "user", "user": map[string]any{"token": token}}},
	}
	raw, _ := yaml.Marshal(cfg)
	return raw
}

func writeTempFile(dir, prefix string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, prefix)
	if err != nil {
		return "", err
	}
	name := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(name)
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

var kubectlTokenRegexp = regexp.MustCompile(`^.*?"token":"(.*?)"`)

// formatKubectlApplyOutput is clusterdeploy's: newlines to spaces and the
// first "token":"..." value redacted.
func formatKubectlApplyOutput(log string) string {
	log = strings.ReplaceAll(log, "\n", " ")
	if m := kubectlTokenRegexp.FindStringSubmatch(log); len(m) == 2 && m[1] != "" {
		log = strings.Replace(log, m[1], "REDACTED", 1)
	}
	return log
}

// maskSecrets replaces every known secret (and its base64 form, as it
// appears in Secret data) by REDACTED.
func maskSecrets(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) < 8 {
			continue
		}
		s = strings.ReplaceAll(s, sec, "REDACTED")
		s = strings.ReplaceAll(s, b64(sec), "REDACTED")
	}
	return s
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
