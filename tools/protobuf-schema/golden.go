package main

// Golden vectors: realistic objects encoded by the real Go serializers, for
// the TypeScript codec's tests.
//
// For each object the JSON recorded is Go's JSON of the object *after* a
// protobuf decode (what an apiserver sees from a protobuf client); the
// generator insists that it equals the JSON of the object it started from,
// so the vectors contain no value that protobuf cannot carry. "canonical"
// says whether Go re-encoding the decoded object yields the same bytes.
//
// Watch frames are made the way k8s.io/apiserver's watch handler streams a
// protobuf watch (endpoints/handlers/watch.go, response.go): the object is
// encoded by the negotiated protobuf serializer (k8s\0 + runtime.Unknown
// envelope) into WatchEvent.object.raw, the WatchEvent itself by the
// RawSerializer (no envelope), and the framer (LengthDelimitedFramer)
// prefixes each event with its length as 4 bytes big-endian.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	jsonserializer "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/framer"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

type objectVector struct {
	Name       string `json:"name"`
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Protobuf   string `json:"protobuf"` // base64, envelope included
	JSON       string `json:"json"`     // Go's JSON, as text (int64 beyond 2^53 must be parsed exactly)
	Canonical  bool   `json:"canonical"`
}

type watchVector struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Frame string `json:"frame"` // base64: 4-byte length + WatchEvent
	JSON  string `json:"json"`  // Go's JSON of the event's object
}

type goldenFile struct {
	Source  string         `json:"source"`
	Objects []objectVector `json:"objects"`
	Watch   []watchVector  `json:"watch"`
	// metav1.Duration is in no v0.36.1 built-in type, so the codec's
	// Duration support is checked against Go's time.Duration formatting here.
	Durations []durationVector `json:"durations"`
}

type durationVector struct {
	Nanos  string `json:"nanos"` // decimal int64
	String string `json:"string"`
}

type codecs struct {
	scheme *runtime.Scheme
	pb     *protobuf.Serializer
	raw    *protobuf.RawSerializer
	json   *jsonserializer.Serializer
}

func (c codecs) encode(enc runtime.Encoder, obj runtime.Object) ([]byte, error) {
	var buf bytes.Buffer
	err := enc.Encode(obj, &buf)
	return buf.Bytes(), err
}

// withKind sets apiVersion/kind as the apiserver's versioning codec would.
func withKind(obj runtime.Object, gv schema.GroupVersion, kind string) runtime.Object {
	obj.GetObjectKind().SetGroupVersionKind(gv.WithKind(kind))
	return obj
}

func (c codecs) objectVector(name string, obj runtime.Object, jsonTwin runtime.Object) (objectVector, error) {
	gvk := obj.GetObjectKind().GroupVersionKind()
	pbBytes, err := c.encode(c.pb, obj)
	if err != nil {
		return objectVector{}, fmt.Errorf("%s: protobuf encode: %w", name, err)
	}
	decoded, _, err := c.pb.Decode(pbBytes, nil, nil)
	if err != nil {
		return objectVector{}, fmt.Errorf("%s: protobuf decode: %w", name, err)
	}
	decoded.GetObjectKind().SetGroupVersionKind(gvk)
	again, err := c.encode(c.pb, decoded)
	if err != nil {
		return objectVector{}, fmt.Errorf("%s: protobuf re-encode: %w", name, err)
	}
	var jsonBytes []byte
	if jsonTwin == nil {
		// The JSON a Go apiserver would print for what it decoded...
		if jsonBytes, err = c.encode(c.json, decoded); err != nil {
			return objectVector{}, fmt.Errorf("%s: json encode: %w", name, err)
		}
		// ...must be the JSON of the object as written here.
		orig, err := c.encode(c.json, obj)
		if err != nil {
			return objectVector{}, fmt.Errorf("%s: json encode: %w", name, err)
		}
		if !bytes.Equal(orig, jsonBytes) {
			return objectVector{}, fmt.Errorf("%s: JSON changes through protobuf:\n%s\n%s", name, orig, jsonBytes)
		}
	} else if jsonBytes, err = c.encode(c.json, jsonTwin); err != nil {
		// Objects whose RawExtensions hold protobuf have no Go JSON; their
		// twin holds the same content as JSON.
		return objectVector{}, fmt.Errorf("%s: json encode: %w", name, err)
	}
	return objectVector{
		Name:       name,
		APIVersion: gvk.GroupVersion().String(),
		Kind:       gvk.Kind,
		Protobuf:   base64.StdEncoding.EncodeToString(pbBytes),
		JSON:       string(bytes.TrimSpace(jsonBytes)),
		Canonical:  bytes.Equal(pbBytes, again),
	}, nil
}

func (c codecs) watchVector(name, eventType string, obj runtime.Object) (watchVector, error) {
	embedded, err := c.encode(c.pb, obj)
	if err != nil {
		return watchVector{}, err
	}
	event, err := c.encode(c.raw, &metav1.WatchEvent{Type: eventType, Object: runtime.RawExtension{Raw: embedded}})
	if err != nil {
		return watchVector{}, err
	}
	var frame bytes.Buffer
	if _, err := framer.NewLengthDelimitedFrameWriter(&frame).Write(event); err != nil {
		return watchVector{}, err
	}
	jsonBytes, err := c.encode(c.json, obj)
	if err != nil {
		return watchVector{}, err
	}
	return watchVector{
		Name:  name,
		Type:  eventType,
		Frame: base64.StdEncoding.EncodeToString(frame.Bytes()),
		JSON:  string(bytes.TrimSpace(jsonBytes)),
	}, nil
}

func makeGolden(s *runtime.Scheme) (goldenFile, error) {
	c := codecs{
		scheme: s,
		pb:     protobuf.NewSerializer(s, s),
		raw:    protobuf.NewRawSerializer(s, s),
		json:   jsonserializer.NewSerializerWithOptions(jsonserializer.DefaultMetaFactory, s, s, jsonserializer.SerializerOptions{}),
	}
	out := goldenFile{Source: "k8s.io/apimachinery " + moduleVersion("k8s.io/apimachinery") + " runtime/serializer/protobuf and runtime/serializer/json"}

	pod := samplePod()
	for _, o := range sampleObjects(c) {
		v, err := c.objectVector(o.name, o.obj, o.jsonTwin)
		if err != nil {
			return out, err
		}
		out.Objects = append(out.Objects, v)
	}

	watches := []struct {
		name, eventType string
		obj             runtime.Object
	}{
		{"pod-added", "ADDED", pod},
		{"configmap-modified", "MODIFIED", sampleConfigMap()},
		{"secret-deleted", "DELETED", sampleSecret()},
		{"bookmark", "BOOKMARK", withKind(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{
			ResourceVersion: "12345",
			Annotations:     map[string]string{"k8s.io/initial-events-end": "true"},
		}}, corev1.SchemeGroupVersion, "Pod")},
		{"error-expired", "ERROR", withKind(&metav1.Status{
			Status:  metav1.StatusFailure,
			Message: "too old resource version: 1 (12345)",
			Reason:  metav1.StatusReasonExpired,
			Code:    410,
		}, corev1.SchemeGroupVersion, "Status")},
	}
	for _, wv := range watches {
		v, err := c.watchVector(wv.name, wv.eventType, wv.obj)
		if err != nil {
			return out, fmt.Errorf("watch %s: %w", wv.name, err)
		}
		out.Watch = append(out.Watch, v)
	}
	for _, d := range []time.Duration{0, 1, 999, time.Microsecond, 1500 * time.Microsecond, time.Second, 1500 * time.Millisecond,
		90 * time.Second, time.Hour, 26*time.Hour + 3*time.Minute + 4*time.Second + 5*time.Millisecond, -90 * time.Second,
		-1, 1<<63 - 1, -1 << 63} {
		out.Durations = append(out.Durations, durationVector{Nanos: fmt.Sprint(int64(d)), String: d.String()})
	}
	return out, nil
}

type sample struct {
	name     string
	obj      runtime.Object
	jsonTwin runtime.Object
}

var (
	t0     = metav1.NewTime(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC))
	t1     = metav1.NewTime(time.Date(2026, 3, 14, 16, 0, 0, 0, time.UTC))
	micro0 = metav1.NewMicroTime(time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC))
)

func samplePod() *corev1.Pod {
	return &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{
			Name:              "web-7d4b9c8f6-x2k9p",
			GenerateName:      "web-7d4b9c8f6-",
			Namespace:         "default",
			UID:               "4f1c2a3b-5d6e-4f70-8a9b-0c1d2e3f4a5b",
			ResourceVersion:   "48213",
			Generation:        1,
			CreationTimestamp: t0,
			Labels:            map[string]string{"app": "web", "pod-template-hash": "7d4b9c8f6", "ä-non-ascii": "ü"},
			Annotations:       map[string]string{"kubectl.kubernetes.io/restartedAt": "2026-03-14T15:00:00Z"},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-7d4b9c8f6",
				UID: "aa11bb22-cc33-dd44-ee55-ff6677889900", Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
			}},
			Finalizers: []string{"example.com/cleanup"},
			ManagedFields: []metav1.ManagedFieldsEntry{{
				Manager: "kube-controller-manager", Operation: metav1.ManagedFieldsOperationUpdate,
				APIVersion: "v1", Time: &t0, FieldsType: "FieldsV1",
				FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}`)},
			}},
		},
		Spec: corev1.PodSpec{
			Volumes: []corev1.Volume{
				{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
					LocalObjectReference: corev1.LocalObjectReference{Name: "web-config"},
					Items:                []corev1.KeyToPath{{Key: "app.yaml", Path: "app.yaml", Mode: ptr.To[int32](0o600)}},
					DefaultMode:          ptr.To[int32](0o644),
				}}},
				{Name: "cache", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{
					Medium: corev1.StorageMediumMemory, SizeLimit: ptr.To(resource.MustParse("256Mi")),
				}}},
				{Name: "token", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
					Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{
						ExpirationSeconds: ptr.To[int64](3607), Path: "token",
					}}},
				}}},
			},
			InitContainers: []corev1.Container{{Name: "init", Image: "busybox:1.36", Command: []string{"sh", "-c", "true"}}},
			Containers: []corev1.Container{{
				Name:  "web",
				Image: "nginx:1.27",
				Args:  []string{"-g", "daemon off;", ""},
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
				Env: []corev1.EnvVar{
					{Name: "MODE", Value: "production"},
					{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "status.podIP"}}},
				},
				Resources: corev1.ResourceRequirements{
					Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
				},
				VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/web", ReadOnly: true}, {Name: "cache", MountPath: "/cache"}},
				LivenessProbe: &corev1.Probe{
					ProbeHandler:        corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http"), Scheme: corev1.URISchemeHTTP}},
					InitialDelaySeconds: 5, PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3,
				},
				ReadinessProbe: &corev1.Probe{
					ProbeHandler:  corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}},
					PeriodSeconds: 5, TerminationGracePeriodSeconds: ptr.To[int64](-1),
				},
				ImagePullPolicy: corev1.PullIfNotPresent,
				SecurityContext: &corev1.SecurityContext{
					RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](1000), AllowPrivilegeEscalation: ptr.To(false),
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
				TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			}},
			RestartPolicy:                 corev1.RestartPolicyAlways,
			TerminationGracePeriodSeconds: ptr.To[int64](30),
			ActiveDeadlineSeconds:         ptr.To[int64](9007199254740993), // 2^53 + 1: exact only as int64
			DNSPolicy:                     corev1.DNSClusterFirst,
			NodeSelector:                  map[string]string{"kubernetes.io/os": "linux"},
			ServiceAccountName:            "web",
			NodeName:                      "kwok-node-0",
			SecurityContext:               &corev1.PodSecurityContext{FSGroup: ptr.To[int64](2000), SupplementalGroups: []int64{3000, 4000}},
			Tolerations: []corev1.Toleration{{
				Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists,
				Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300),
			}},
			Priority:           ptr.To[int32](-5),
			EnableServiceLinks: ptr.To(true),
		},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: t1},
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: t0},
			},
			HostIP:    "10.0.0.5",
			PodIP:     "10.244.1.17",
			PodIPs:    []corev1.PodIP{{IP: "10.244.1.17"}},
			StartTime: &t0,
			ContainerStatuses: []corev1.ContainerStatus{{
				Name: "web", Ready: true, RestartCount: 0, Image: "nginx:1.27", ImageID: "docker.io/library/nginx@sha256:0123",
				ContainerID: "containerd://abc", Started: ptr.To(true),
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: t1}},
			}},
			QOSClass: corev1.PodQOSBurstable,
		},
	}
}

func sampleConfigMap() *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "web-config", Namespace: "default", ResourceVersion: "100", CreationTimestamp: t0},
		Data:       map[string]string{"app.yaml": "replicas: 3\nname: <web> & co\n", "empty": "", "z": "last", "B": "upper"},
		BinaryData: map[string][]byte{"logo.bin": {0x89, 0x50, 0x4e, 0x47, 0x00, 0xff}},
		Immutable:  ptr.To(false),
	}
}

func sampleSecret() *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: "tls", Namespace: "default", ResourceVersion: "101", CreationTimestamp: t0},
		Type:       corev1.SecretTypeTLS,
		Data: map[string][]byte{
			"tls.crt": []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
			"tls.key": {0x00, 0x01, 0x02, 0xfe, 0xff, 0x80},
			"empty":   {},
		},
	}
}

func sampleObjects(c codecs) []sample {
	core, apps, batch, rbac := corev1.SchemeGroupVersion, appsv1.SchemeGroupVersion, batchv1.SchemeGroupVersion, rbacv1.SchemeGroupVersion
	pod := samplePod()
	listedPod := samplePod()
	listedPod.TypeMeta = metav1.TypeMeta{} // list items carry no apiVersion/kind in protobuf
	labels := map[string]string{"app": "web"}
	template := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}},
	}

	podProto, _ := c.encode(c.pb, pod)
	cmProto, _ := c.encode(c.pb, sampleConfigMap())
	podJSON, _ := c.encode(c.json, pod)
	cmJSON, _ := c.encode(c.json, sampleConfigMap())
	listMeta := metav1.ListMeta{ResourceVersion: "5000"}

	return []sample{
		{name: "pod", obj: pod},
		{name: "pod-minimal", obj: withKind(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "bare"}}, core, "Pod")},
		{name: "configmap", obj: sampleConfigMap()},
		{name: "secret-binary", obj: sampleSecret()},
		{name: "namespace", obj: withKind(&corev1.Namespace{
			ObjectMeta: metav1.ObjectMeta{Name: "cattle-system", Labels: map[string]string{"kubernetes.io/metadata.name": "cattle-system"}, CreationTimestamp: t0},
			Spec:       corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{corev1.FinalizerKubernetes}},
			Status:     corev1.NamespaceStatus{Phase: corev1.NamespaceActive},
		}, core, "Namespace")},
		{name: "serviceaccount", obj: withKind(&corev1.ServiceAccount{
			ObjectMeta:                   metav1.ObjectMeta{Name: "cattle", Namespace: "cattle-system"},
			Secrets:                      []corev1.ObjectReference{{Name: "cattle-token"}},
			AutomountServiceAccountToken: ptr.To(false),
		}, core, "ServiceAccount")},
		{name: "role", obj: withKind(&rbacv1.Role{
			ObjectMeta: metav1.ObjectMeta{Name: "pod-reader", Namespace: "default"},
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{""}, Resources: []string{"pods", "pods/log"}, Verbs: []string{"get", "list", "watch"}},
				{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, ResourceNames: []string{"web"}, Verbs: []string{"get"}},
			},
		}, rbac, "Role")},
		{name: "rolebinding", obj: withKind(&rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "read-pods", Namespace: "default"},
			Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: "jane"}, {Kind: "ServiceAccount", Name: "web", Namespace: "default"}},
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "pod-reader"},
		}, rbac, "RoleBinding")},
		{name: "clusterrole", obj: withKind(&rbacv1.ClusterRole{
			ObjectMeta:      metav1.ObjectMeta{Name: "cluster-admin", Labels: map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"}},
			Rules:           []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}, {NonResourceURLs: []string{"*"}, Verbs: []string{"*"}}},
			AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"rbac.example.com/aggregate": "true"}}}},
		}, rbac, "ClusterRole")},
		{name: "deployment", obj: withKind(&appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", Generation: 3, CreationTimestamp: t0},
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](3),
				Selector: &metav1.LabelSelector{
					MatchLabels:      labels,
					MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"frontend", "edge"}}},
				},
				Template: template,
				Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: ptr.To(intstr.FromInt32(0)), MaxSurge: ptr.To(intstr.FromString("25%")),
				}},
				RevisionHistoryLimit:    ptr.To[int32](10),
				ProgressDeadlineSeconds: ptr.To[int32](600),
			},
			Status: appsv1.DeploymentStatus{
				ObservedGeneration: 3, Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3,
				Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, LastUpdateTime: t1, LastTransitionTime: t0, Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability."}},
			},
		}, apps, "Deployment")},
		{name: "job", obj: withKind(&batchv1.Job{
			ObjectMeta: metav1.ObjectMeta{Name: "migrate", Namespace: "default"},
			Spec: batchv1.JobSpec{
				Parallelism: ptr.To[int32](1), Completions: ptr.To[int32](1), BackoffLimit: ptr.To[int32](6),
				ActiveDeadlineSeconds: ptr.To[int64](600), TTLSecondsAfterFinished: ptr.To[int32](100),
				CompletionMode: ptr.To(batchv1.NonIndexedCompletion), Suspend: ptr.To(false),
				Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "migrate", Image: "app:2"}}}},
			},
			Status: batchv1.JobStatus{StartTime: &t0, CompletionTime: &t1, Succeeded: 1, Ready: ptr.To[int32](0), Terminating: ptr.To[int32](0)},
		}, batch, "Job")},
		{name: "cronjob", obj: withKind(&batchv1.CronJob{
			ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: "default"},
			Spec: batchv1.CronJobSpec{
				Schedule: "0 3 * * *", TimeZone: ptr.To("Etc/UTC"), ConcurrencyPolicy: batchv1.ForbidConcurrent,
				StartingDeadlineSeconds: ptr.To[int64](200), SuccessfulJobsHistoryLimit: ptr.To[int32](3), FailedJobsHistoryLimit: ptr.To[int32](1),
				JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyOnFailure, Containers: []corev1.Container{{Name: "backup", Image: "backup:1"}},
				}}}},
			},
			Status: batchv1.CronJobStatus{LastScheduleTime: &t0, Active: []corev1.ObjectReference{{Kind: "Job", Name: "nightly-1", Namespace: "default"}}},
		}, batch, "CronJob")},
		{name: "service", obj: withKind(&corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
			Spec: corev1.ServiceSpec{
				Type:      corev1.ServiceTypeLoadBalancer,
				Selector:  labels,
				Ports:     []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromString("http"), NodePort: 30080}, {Name: "metrics", Port: 9090, TargetPort: intstr.FromInt32(9090)}},
				ClusterIP: "10.96.0.10", ClusterIPs: []string{"10.96.0.10"},
				IPFamilies: []corev1.IPFamily{corev1.IPv4Protocol}, IPFamilyPolicy: ptr.To(corev1.IPFamilyPolicySingleStack),
				SessionAffinity:       corev1.ServiceAffinityClientIP,
				SessionAffinityConfig: &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr.To[int32](10800)}},
				ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyCluster, InternalTrafficPolicy: ptr.To(corev1.ServiceInternalTrafficPolicyCluster),
			},
			Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "192.0.2.10", IPMode: ptr.To(corev1.LoadBalancerIPModeVIP)}}}},
		}, core, "Service")},
		{name: "node", obj: withKind(&corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: "kwok-node-0", Labels: map[string]string{"type": "kwok", "kubernetes.io/role": "agent"}, CreationTimestamp: t0},
			Spec: corev1.NodeSpec{
				PodCIDR: "10.244.1.0/24", PodCIDRs: []string{"10.244.1.0/24"}, ProviderID: "kwok://kwok-node-0",
				Taints: []corev1.Taint{{Key: "kwok.x-k8s.io/node", Value: "fake", Effect: corev1.TaintEffectNoSchedule, TimeAdded: &t0}},
			},
			Status: corev1.NodeStatus{
				Capacity:    corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("32"), corev1.ResourceMemory: resource.MustParse("256Gi"), corev1.ResourcePods: resource.MustParse("110"), corev1.ResourceEphemeralStorage: resource.MustParse("1Ti")},
				Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("31500m"), corev1.ResourceMemory: resource.MustParse("250Gi"), corev1.ResourcePods: resource.MustParse("110")},
				Phase:       corev1.NodeRunning,
				Conditions: []corev1.NodeCondition{
					{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastHeartbeatTime: t1, LastTransitionTime: t0, Reason: "KubeletReady", Message: "kubelet is posting ready status"},
					{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, LastHeartbeatTime: t1, LastTransitionTime: t0},
				},
				Addresses:       []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.0.0.5"}, {Type: corev1.NodeHostName, Address: "kwok-node-0"}},
				DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: 10250}},
				NodeInfo: corev1.NodeSystemInfo{
					KubeletVersion: "v1.36.1", OperatingSystem: "linux", Architecture: "amd64", ContainerRuntimeVersion: "kwok-v0.7.0",
					KernelVersion: "6.1.0", OSImage: "Debian GNU/Linux 12", MachineID: "m", SystemUUID: "s", BootID: "b",
				},
				Images: []corev1.ContainerImage{{Names: []string{"nginx:1.27"}, SizeBytes: 72000000}},
			},
		}, core, "Node")},
		{name: "event-core", obj: withKind(&corev1.Event{
			ObjectMeta:          metav1.ObjectMeta{Name: "web.17c", Namespace: "default"},
			InvolvedObject:      corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "web", UID: "4f1c", APIVersion: "v1", ResourceVersion: "48213", FieldPath: "spec.containers{web}"},
			Reason:              "Pulled",
			Message:             "Container image \"nginx:1.27\" already present on machine",
			Source:              corev1.EventSource{Component: "kubelet", Host: "kwok-node-0"},
			FirstTimestamp:      t0,
			LastTimestamp:       t1,
			Count:               2,
			Type:                corev1.EventTypeNormal,
			EventTime:           micro0,
			Series:              &corev1.EventSeries{Count: 2, LastObservedTime: metav1.NewMicroTime(time.Date(2026, 3, 14, 16, 0, 0, 1000, time.UTC))},
			ReportingController: "kubelet",
			ReportingInstance:   "kwok-node-0",
		}, core, "Event")},
		{name: "event-events-v1", obj: withKind(&eventsv1.Event{
			ObjectMeta:          metav1.ObjectMeta{Name: "web.17d", Namespace: "default"},
			EventTime:           micro0,
			ReportingController: "scheduler", ReportingInstance: "default-scheduler-1",
			Action: "Binding", Reason: "Scheduled", Note: "Successfully assigned default/web to kwok-node-0", Type: "Normal",
			Regarding: corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "web"},
		}, eventsv1.SchemeGroupVersion, "Event")},
		{name: "deleteoptions-core", obj: withKind(&metav1.DeleteOptions{
			GracePeriodSeconds: ptr.To[int64](0),
			Preconditions:      &metav1.Preconditions{UID: ptr.To[types.UID]("4f1c"), ResourceVersion: ptr.To("48213")},
			PropagationPolicy:  ptr.To(metav1.DeletePropagationForeground),
			DryRun:             []string{metav1.DryRunAll},
		}, core, "DeleteOptions")},
		{name: "deleteoptions-meta", obj: withKind(&metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationBackground)}, metav1.SchemeGroupVersion, "DeleteOptions")},
		{name: "status-notfound", obj: withKind(&metav1.Status{
			Status:  metav1.StatusFailure,
			Message: `pods "web" not found`,
			Reason:  metav1.StatusReasonNotFound,
			Details: &metav1.StatusDetails{Name: "web", Kind: "pods", Causes: []metav1.StatusCause{{Type: metav1.CauseTypeFieldValueNotFound, Message: "gone", Field: "metadata.name"}}, RetryAfterSeconds: 0},
			Code:    404,
		}, core, "Status")},
		{name: "status-success", obj: withKind(&metav1.Status{Status: metav1.StatusSuccess, Details: &metav1.StatusDetails{Name: "web", Kind: "pods", UID: "4f1c"}}, core, "Status")},
		{
			name:     "list-protobuf-items",
			obj:      withKind(&corev1.List{ListMeta: listMeta, Items: []runtime.RawExtension{{Raw: podProto}, {Raw: cmProto}}}, core, "List"),
			jsonTwin: withKind(&corev1.List{ListMeta: listMeta, Items: []runtime.RawExtension{{Raw: podJSON}, {Raw: cmJSON}}}, core, "List"),
		},
		{name: "list-json-items", obj: withKind(&corev1.List{ListMeta: listMeta, Items: []runtime.RawExtension{{Raw: bytes.TrimSpace(cmJSON)}, {Raw: []byte(`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":9007199254740993}}`)}}}, core, "List")},
		{name: "podlist", obj: withKind(&corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: "777", Continue: "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ", RemainingItemCount: ptr.To[int64](12)}, Items: []corev1.Pod{*listedPod, {ObjectMeta: metav1.ObjectMeta{Name: "other"}}}}, core, "PodList")},
		{name: "selfsubjectaccessreview", obj: withKind(&authorizationv1.SelfSubjectAccessReview{
			Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: "default", Verb: "list", Group: "apps", Resource: "deployments",
				LabelSelector: &authorizationv1.LabelSelectorAttributes{RawSelector: "app=web"},
			}},
			Status: authorizationv1.SubjectAccessReviewStatus{Allowed: true, Reason: "RBAC: allowed by ClusterRoleBinding"},
		}, authorizationv1.SchemeGroupVersion, "SelfSubjectAccessReview")},
		{name: "tokenreview", obj: withKind(&authenticationv1.TokenReview{
			Spec: authenticationv1.TokenReviewSpec{Token: "eyJhbGciOiJSUzI1NiJ9.e30.sig", Audiences: []string{"https://kubernetes.default.svc"}},
			Status: authenticationv1.TokenReviewStatus{
				Authenticated: true,
				User: authenticationv1.UserInfo{
					Username: "system:serviceaccount:default:web", UID: "u-1", Groups: []string{"system:serviceaccounts", "system:authenticated"},
					Extra: map[string]authenticationv1.ExtraValue{"authentication.kubernetes.io/pod-name": {"web-7d4b9c8f6-x2k9p"}, "empty": {}},
				},
				Audiences: []string{"https://kubernetes.default.svc"},
			},
		}, authenticationv1.SchemeGroupVersion, "TokenReview")},
		{name: "apiresourcelist", obj: withKind(&metav1.APIResourceList{
			GroupVersion: "apps/v1",
			APIResources: []metav1.APIResource{
				{Name: "deployments", SingularName: "deployment", Namespaced: true, Kind: "Deployment", Verbs: metav1.Verbs{"create", "delete", "get", "list", "patch", "update", "watch"}, ShortNames: []string{"deploy"}, Categories: []string{"all"}, StorageVersionHash: "8aSe+NMegvE="},
				{Name: "deployments/status", Namespaced: true, Kind: "Deployment", Verbs: metav1.Verbs{}},
				{Name: "deployments/scale", Namespaced: true, Group: "autoscaling", Version: "v1", Kind: "Scale"},
			},
		}, core, "APIResourceList")},
		{name: "partialobjectmetadatalist", obj: withKind(&metav1.PartialObjectMetadataList{
			ListMeta: metav1.ListMeta{ResourceVersion: "9"},
			Items:    []metav1.PartialObjectMetadata{{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "b", CreationTimestamp: t0}}},
		}, metav1.SchemeGroupVersion, "PartialObjectMetadataList")},
		{name: "pvc", obj: withKind(&corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "default"},
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}},
				StorageClassName: ptr.To("standard"),
				VolumeMode:       ptr.To(corev1.PersistentVolumeFilesystem),
			},
			Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound, Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}},
		}, core, "PersistentVolumeClaim")},
		{name: "crd", obj: withKind(sampleCRD(), apiextv1.SchemeGroupVersion, "CustomResourceDefinition")},
	}
}

func sampleCRD() *apiextv1.CustomResourceDefinition {
	min1 := 1.5
	return &apiextv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "widgets.example.com"},
		Spec: apiextv1.CustomResourceDefinitionSpec{
			Group: "example.com",
			Names: apiextv1.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList", ShortNames: []string{"wd"}},
			Scope: apiextv1.NamespaceScoped,
			Versions: []apiextv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema: &apiextv1.CustomResourceValidation{OpenAPIV3Schema: &apiextv1.JSONSchemaProps{
					Type:     "object",
					Required: []string{"spec"},
					Properties: map[string]apiextv1.JSONSchemaProps{
						"spec": {
							Type: "object",
							Properties: map[string]apiextv1.JSONSchemaProps{
								"size":   {Type: "integer", Minimum: &min1, Default: &apiextv1.JSON{Raw: []byte(`3`)}},
								"labels": {Type: "object", AdditionalProperties: &apiextv1.JSONSchemaPropsOrBool{Allows: true, Schema: &apiextv1.JSONSchemaProps{Type: "string"}}},
								"tags":   {Type: "array", Items: &apiextv1.JSONSchemaPropsOrArray{Schema: &apiextv1.JSONSchemaProps{Type: "string", Enum: []apiextv1.JSON{{Raw: []byte(`"a"`)}, {Raw: []byte(`"b"`)}}}}},
								"free":   {Type: "object", XPreserveUnknownFields: ptr.To(true)},
								"closed": {Type: "object", AdditionalProperties: &apiextv1.JSONSchemaPropsOrBool{Allows: false}},
							},
						},
						"status": {Type: "object", XPreserveUnknownFields: ptr.To(true)},
					},
				}},
				Subresources:             &apiextv1.CustomResourceSubresources{Status: &apiextv1.CustomResourceSubresourceStatus{}},
				AdditionalPrinterColumns: []apiextv1.CustomResourceColumnDefinition{{Name: "Size", Type: "integer", JSONPath: ".spec.size"}},
			}},
		},
		Status: apiextv1.CustomResourceDefinitionStatus{
			AcceptedNames:  apiextv1.CustomResourceDefinitionNames{Plural: "widgets", Kind: "Widget"},
			StoredVersions: []string{"v1"},
			Conditions:     []apiextv1.CustomResourceDefinitionCondition{{Type: apiextv1.Established, Status: apiextv1.ConditionTrue, LastTransitionTime: t0, Reason: "InitialNamesAccepted"}},
		},
	}
}
