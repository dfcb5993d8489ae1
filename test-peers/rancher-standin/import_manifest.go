package main

// The import manifest (rancher:pkg/systemtemplate/template.go as of
// v2.12.3), served unauthenticated at /v3/import/<token>_<clusterId>.yaml.
// Like Rancher, the endpoint does not check the token; it only embeds it.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"text/template"
)

const serverVersion = "v2.12.3"

type manifestData struct {
	ServerURL     string // CATTLE_SERVER
	Token         string
	Namespace     string
	TokenKey      string
	URLB64        string
	TokenB64      string
	NamespaceB64  string
	CAChecksum    string
	AgentImage    string
	ServerVersion string
	InstallUUID   string
}

// credentialKey is the suffix of the cattle-credentials Secret: the first
// 10 hex characters of sha256("<url>.<token>.<namespace>").
func credentialKey(url, token, namespace string) string {
	sum := sha256.Sum256([]byte(url + "." + token + "." + namespace))
	return hex.EncodeToString(sum[:])[:10]
}

func (a *App) renderManifest(serverURL, token string) (string, error) {
	b64 := base64.StdEncoding.EncodeToString
	d := manifestData{
		ServerURL: serverURL, Token: token, Namespace: "",
		TokenKey: credentialKey(serverURL, token, ""),
		URLB64:   b64([]byte(serverURL)), TokenB64: b64([]byte(token)), NamespaceB64: "",
		CAChecksum: a.pki.CAChecksum(), AgentImage: a.cfg.AgentImage,
		ServerVersion: serverVersion, InstallUUID: a.installUUID,
	}
	var buf bytes.Buffer
	if err := importTemplate.Execute(&buf, d); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func (a *App) handleImportManifest(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	name, ok := strings.CutSuffix(file, ".yaml")
	idx := strings.LastIndex(name, "_")
	if !ok || idx <= 0 {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	token, clusterID := name[:idx], name[idx+1:]
	if a.takeManifestFailure() {
		http.Error(w, "cluster not found (test control)", http.StatusNotFound)
		return
	}
	if c, found := a.store.Get(clusterID); !found || c.Removing {
		http.Error(w, "cluster "+clusterID+" not found", http.StatusNotFound)
		return
	}
	server := a.serverURL()
	if server == "" {
		server = requestBase(r) // Rancher falls back to the request host
	}
	out, err := a.renderManifest(server, token)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(out))
}

var importTemplate = template.Must(template.New("import").Parse(`---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: proxy-clusterrole-kubeapiserver
rules:
- apiGroups: [""]
  resources:
  - nodes/metrics
  - nodes/proxy
  - nodes/stats
  - nodes/log
  - nodes/spec
  verbs: ["get", "list", "watch", "create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: proxy-role-binding-kubernetes-master
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: proxy-clusterrole-kubeapiserver
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: kube-apiserver
---
apiVersion: v1
kind: Namespace
metadata:
  name: cattle-system
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: cattle
  namespace: cattle-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cattle-admin-binding
  namespace: cattle-system
  labels:
    cattle.io/creator: "norman"
subjects:
- kind: ServiceAccount
  name: cattle
  namespace: cattle-system
roleRef:
  kind: ClusterRole
  name: cattle-admin
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: v1
kind: Secret
metadata:
  name: cattle-credentials-{{.TokenKey}}
  namespace: cattle-system
type: Opaque
data:
  url: "{{.URLB64}}"
  token: "{{.TokenB64}}"
  namespace: "{{.NamespaceB64}}"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cattle-admin
  labels:
    cattle.io/creator: "norman"
rules:
- apiGroups:
  - '*'
  resources:
  - '*'
  verbs:
  - '*'
- nonResourceURLs:
  - '*'
  verbs:
  - '*'
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cattle-cluster-agent
  namespace: cattle-system
  annotations:
    management.cattle.io/scale-available: "2"
spec:
  selector:
    matchLabels:
      app: cattle-cluster-agent
  template:
    metadata:
      labels:
        app: cattle-cluster-agent
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              labelSelector:
                matchExpressions:
                - key: app
                  operator: In
                  values:
                  - cattle-cluster-agent
              topologyKey: kubernetes.io/hostname
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions:
              - key: beta.kubernetes.io/os
                operator: NotIn
                values:
                - windows
          preferredDuringSchedulingIgnoredDuringExecution:
          - preference:
              matchExpressions:
              - key: node-role.kubernetes.io/controlplane
                operator: In
                values:
                - "true"
            weight: 100
          - preference:
              matchExpressions:
              - key: node-role.kubernetes.io/control-plane
                operator: In
                values:
                - "true"
            weight: 100
          - preference:
              matchExpressions:
              - key: node-role.kubernetes.io/master
                operator: In
                values:
                - "true"
            weight: 100
          - preference:
              matchExpressions:
              - key: cattle.io/cluster-agent
                operator: In
                values:
                - "true"
            weight: 1
      serviceAccountName: cattle
      tolerations:
      - effect: NoSchedule
        key: node-role.kubernetes.io/controlplane
        value: "true"
      - effect: NoSchedule
        key: "node-role.kubernetes.io/control-plane"
        operator: "Exists"
      - effect: NoSchedule
        key: "node-role.kubernetes.io/master"
        operator: "Exists"
      containers:
        - name: cluster-register
          imagePullPolicy: IfNotPresent
          env:
          - name: CATTLE_SERVER
            value: "{{.ServerURL}}"
          - name: CATTLE_CA_CHECKSUM
            value: "{{.CAChecksum}}"
          - name: CATTLE_CLUSTER
            value: "true"
          - name: CATTLE_K8S_MANAGED
            value: "true"
          - name: CATTLE_CLUSTER_REGISTRY
            value: ""
          - name: CATTLE_CREDENTIAL_NAME
            value: cattle-credentials-{{.TokenKey}}
          - name: CATTLE_SUC_APP_NAME_OVERRIDE
            value: "system-upgrade-controller"
          - name: CATTLE_SERVER_VERSION
            value: {{.ServerVersion}}
          - name: CATTLE_INSTALL_UUID
            value: {{.InstallUUID}}
          - name: CATTLE_INGRESS_IP_DOMAIN
            value: sslip.io
          - name: STRICT_VERIFY
            value: "false"
          image: {{.AgentImage}}
          volumeMounts:
          - name: cattle-credentials
            mountPath: /cattle-credentials
            readOnly: true
      volumes:
      - name: cattle-credentials
        secret:
          secretName: cattle-credentials-{{.TokenKey}}
          defaultMode: 320
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
---
apiVersion: v1
kind: Service
metadata:
  name: cattle-cluster-agent
  namespace: cattle-system
spec:
  ports:
  - port: 80
    targetPort: 80
    protocol: TCP
    name: http
  - port: 443
    targetPort: 444
    protocol: TCP
    name: https-internal
  selector:
    app: cattle-cluster-agent
`))

// takeManifestFailure reports whether this download is one of those the
// test controls asked to fail, counting it off.
func (a *App) takeManifestFailure() bool {
	for {
		n := a.manifestFailures.Load()
		if n <= 0 {
			return false
		}
		if a.manifestFailures.CompareAndSwap(n, n-1) {
			return true
		}
	}
}
