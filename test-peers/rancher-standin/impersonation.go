package main

// Rancher's users and the downstream impersonation flow.
//
// Users (rancher:pkg/data/management, pkg/systemaccount): the default admin
// is a User named "user-" + 5 random characters (GenerateName "user-"),
// username "admin", display name "Default Admin", principal
// "local://<id>"; the stand-in keeps one such id per data dir
// (--admin-user-id to pin it). Each cluster has a system account user
// (EnsureUser("system://<clusterId>", "System account for Cluster
// <clusterId>"), a "u-" name) that clusterdeploy uses.
//
// The request's identity (rancher:pkg/auth/requests/authenticate.go): name
// and uid = the token's userId; groups = the user's group principals (none
// here) + "system:authenticated" + "system:cattle:authenticated"; extras
// requesttokenid = the token name, requesthost = the request's Host, plus
// principalid and username (from the user attributes of a local user, or the
// User object). NewAuthenticatedFilter (pkg/auth/requests/filter.go) turns
// that into Impersonate-User, Impersonate-Group (one per group) and
// Impersonate-Extra-<key> (one per non-empty value) headers.
//
// The impersonator (rancher:pkg/impersonation/impersonation.go) makes, per
// user and cluster: Namespace cattle-impersonation-system, ClusterRole
// cattle-impersonation-<uid> with the rules of rulesForUser, ServiceAccount
// cattle-impersonation-<uid> in that namespace (owner: the ClusterRole),
// its token Secret (pkg/serviceaccounttoken: generateName "<sa>-token-",
// type kubernetes.io/service-account-token, annotation
// kubernetes.io/service-account.name, label cattle.io/service-account.name,
// owner: the ServiceAccount; waits until the token controller fills
// data.token) and ClusterRoleBinding cattle-impersonation-<uid>; every object
// labelled authz.cluster.cattle.io/impersonator=true.
//
// The CRTB sync (rancher:pkg/controllers/managementuser/rbac crtb handler,
// "cluster-crtb-sync"): for each ClusterRoleTemplateBinding of the cluster
// it ensures the role template's ClusterRole, a ClusterRoleBinding "crb-<hash>"
// to it, and the impersonator of the binding's user, recording
// ClusterRolesExists / ClusterRoleBindingsExists /
// ServiceAccountImpersonatorExists on the CRTB's status.remoteConditions and
// failing with "couldn't ensure service account impersonator: <err>". The
// stand-in has two CRTBs per cluster, both role template cluster-owner:
// creator-cluster-owner (the admin, who created the cluster) and
// <system user>-admin (systemaccount.CreateSystemAccount, made by
// clusterdeploy).

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

const (
	impersonationNamespace = "cattle-impersonation-system"
	impersonationPrefix    = "cattle-impersonation-"
	impersonationLabel     = "authz.cluster.cattle.io/impersonator"

	serviceAccountSecretLabel      = "cattle.io/service-account.name"
	serviceAccountSecretAnnotation = "kubernetes.io/service-account.name"

	groupAllAuthenticated    = "system:authenticated"
	groupCattleAuthenticated = "system:cattle:authenticated"

	extraPrincipalID    = "principalid"
	extraUserName       = "username"
	extraRequestTokenID = "requesttokenid"
	extraRequestHost    = "requesthost"

	rtbOwnerLabel         = "authz.cluster.cattle.io/rtb-owner-updated"
	clusterRoleOwnerAnnot = "authz.cluster.cattle.io/clusterrole-owner"
	clusterOwnerRole      = "cluster-owner"
	creatorCRTBName       = "creator-cluster-owner"

	systemAccountPrefix = "System account for Cluster "
)

// rancherUser is the part of a management User the flows read.
type rancherUser struct {
	ID           string
	Username     string
	DisplayName  string
	PrincipalIDs []string
	// HasAttributes: the user has a UserAttribute (a user who logged in);
	// system accounts have none.
	HasAttributes bool
}

func (a *App) adminUser() rancherUser {
	return rancherUser{ID: a.adminUserID, Username: "admin", DisplayName: "Default Admin",
		PrincipalIDs: []string{"local://" + a.adminUserID}, HasAttributes: true}
}

func systemUser(c Cluster) rancherUser {
	return rancherUser{ID: c.SystemUserID, DisplayName: systemAccountPrefix + c.ID,
		PrincipalIDs: []string{"system://" + c.ID}}
}

// userByID returns the admin or the system account of the cluster.
func (a *App) userByID(c Cluster, id string) (rancherUser, bool) {
	switch {
	case id == a.adminUserID:
		return a.adminUser(), true
	case id != "" && id == c.SystemUserID:
		return systemUser(c), true
	}
	return rancherUser{}, false
}

// adminUserIDFor is stable per data dir, like the default admin created once.
func adminUserIDFor(dataDir, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	p := dataDir + "/admin-user-id"
	if raw, err := os.ReadFile(p); err == nil && len(strings.TrimSpace(string(raw))) > 0 {
		return strings.TrimSpace(string(raw))
	}
	id := "user-" + randomString(5)
	_ = os.WriteFile(p, []byte(id+"\n"), 0o600)
	return id
}

// requestIdentity is the user.Info Rancher's authenticator puts on a request.
type requestIdentity struct {
	Name   string
	Groups []string
	Extra  map[string][]string
}

func identityFor(u rancherUser, tokenName, host string) requestIdentity {
	// principalid and username come from ExtraByProvider["local"] of a local
	// user who logged in, else from the User object (principalIDs, username,
	// which is empty for a system account: empty values send no header).
	return requestIdentity{
		Name:   u.ID,
		Groups: []string{groupAllAuthenticated, groupCattleAuthenticated},
		Extra: map[string][]string{
			extraRequestTokenID: {tokenName},
			extraRequestHost:    {host},
			extraPrincipalID:    append([]string(nil), u.PrincipalIDs...),
			extraUserName:       {u.Username},
		},
	}
}

func isImpersonationHeader(key string) bool {
	return strings.HasPrefix(strings.ToLower(key), "impersonate-")
}

// setImpersonationHeaders does what NewAuthenticatedFilter does: the
// authenticated identity replaces whatever impersonation the client sent.
func setImpersonationHeaders(h http.Header, id requestIdentity) {
	for k := range h {
		if isImpersonationHeader(k) {
			delete(h, k)
		}
	}
	h.Set("Impersonate-User", id.Name)
	for _, g := range id.Groups {
		h.Add("Impersonate-Group", g)
	}
	keys := make([]string, 0, len(id.Extra))
	for k := range id.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range id.Extra[k] {
			if v != "" {
				h.Add("Impersonate-Extra-"+k, v)
			}
		}
	}
}

// impersonationUser is impersonator.getUser: the groups and extras the
// ClusterRole must allow.
func impersonationUser(u rancherUser) requestIdentity {
	groups := []string{groupAllAuthenticated, groupCattleAuthenticated}
	sort.Strings(groups)
	extra := map[string][]string{}
	if u.HasAttributes {
		extra[extraUserName] = []string{u.Username}
		extra[extraPrincipalID] = append([]string(nil), u.PrincipalIDs...)
	} else {
		if u.DisplayName != "" {
			extra[extraUserName] = []string{u.DisplayName}
		}
		if len(u.PrincipalIDs) > 0 {
			extra[extraPrincipalID] = append([]string(nil), u.PrincipalIDs...)
		}
	}
	for _, v := range extra {
		sort.Strings(v)
	}
	return requestIdentity{Name: u.ID, Groups: groups, Extra: extra}
}

// impersonationRules is impersonator.rulesForUser, in its order.
func impersonationRules(u rancherUser) []rbacv1.PolicyRule {
	info := impersonationUser(u)
	rules := []rbacv1.PolicyRule{
		{Verbs: []string{"impersonate"}, APIGroups: []string{""}, Resources: []string{"users"}, ResourceNames: []string{u.ID}},
		{Verbs: []string{"impersonate"}, APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"userextras/" + extraRequestTokenID}},
		{Verbs: []string{"impersonate"}, APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"userextras/" + extraRequestHost}},
	}
	if len(info.Groups) > 0 {
		rules = append(rules, rbacv1.PolicyRule{Verbs: []string{"impersonate"}, APIGroups: []string{""}, Resources: []string{"groups"}, ResourceNames: info.Groups})
	}
	if v, ok := info.Extra[extraPrincipalID]; ok {
		rules = append(rules, rbacv1.PolicyRule{Verbs: []string{"impersonate"}, APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"userextras/" + extraPrincipalID}, ResourceNames: v})
	}
	if v, ok := info.Extra[extraUserName]; ok {
		rules = append(rules, rbacv1.PolicyRule{Verbs: []string{"impersonate"}, APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"userextras/" + extraUserName}, ResourceNames: v})
	}
	return rules
}

func impersonationObjectLabels() map[string]string {
	return map[string]string{impersonationLabel: "true"}
}

// Impersonator sets up and hands out the impersonation service account
// tokens of one cluster. Tokens are remembered for impersonationTokenTTL
// (Rancher re-checks its informer caches on every request; the stand-in has
// no informers for these kinds, so it re-reads the objects at most that
// often, or at once after the downstream answered 401).
type Impersonator struct {
	cm *clusterManager
	mu sync.Mutex
	// per user id
	tokens map[string]cachedToken
}

type cachedToken struct {
	token string
	at    time.Time
}

const impersonationTokenTTL = 60 * time.Second

func (i *Impersonator) forget(userID string) {
	i.mu.Lock()
	delete(i.tokens, userID)
	i.mu.Unlock()
}

// GetToken is impersonator.GetToken: set everything up, return the token.
func (i *Impersonator) GetToken(ctx context.Context, u rancherUser) (string, error) {
	i.mu.Lock()
	if t, ok := i.tokens[u.ID]; ok && time.Since(t.at) < impersonationTokenTTL {
		i.mu.Unlock()
		return t.token, nil
	}
	i.mu.Unlock()
	kc, err := i.cm.kube()
	if err != nil {
		return "", err
	}
	sa, err := setupImpersonation(ctx, kc, u)
	if err != nil {
		return "", fmt.Errorf("error setting up impersonation for user %s: %w", u.ID, err)
	}
	secret, err := ensureSecretForServiceAccount(ctx, kc, sa)
	if err != nil {
		return "", fmt.Errorf("error getting secret: %w", err)
	}
	token, ok := secret.Data[corev1.ServiceAccountTokenKey]
	if !ok {
		return "", errors.New("error getting token: invalid secret object")
	}
	i.mu.Lock()
	i.tokens[u.ID] = cachedToken{token: string(token), at: time.Now()}
	i.mu.Unlock()
	return string(token), nil
}

// setupImpersonation is impersonator.setup.
func setupImpersonation(ctx context.Context, kc *KubeClients, u rancherUser) (*corev1.ServiceAccount, error) {
	name := impersonationPrefix + u.ID
	rules := impersonationRules(u)
	role, err := checkAndUpdateImpersonationRole(ctx, kc, name, rules)
	if err != nil {
		return nil, err
	}
	crbs := kc.Wrangler.RbacV1().ClusterRoleBindings()
	_, crbErr := crbs.Get(ctx, name, metav1.GetOptions{})
	if crbErr != nil && !apierrors.IsNotFound(crbErr) {
		return nil, crbErr
	}
	if role != nil && crbErr == nil {
		sa, err := kc.Wrangler.CoreV1().ServiceAccounts(impersonationNamespace).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			return sa, nil
		}
		if !apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("failed to get service account: %s/%s, error: %w", impersonationNamespace, name, err)
		}
		// interrupted before the service account was made: go on creating
	}
	if err := createImpersonationNamespace(ctx, kc); err != nil {
		return nil, err
	}
	if role == nil {
		if role, err = createImpersonationRole(ctx, kc, name, rules); err != nil {
			return nil, err
		}
	}
	sa, err := createImpersonationServiceAccount(ctx, kc, name, role)
	if err != nil {
		return nil, err
	}
	if err := createImpersonationRoleBinding(ctx, kc, name, role, sa); err != nil {
		return nil, err
	}
	return waitForServiceAccount(ctx, kc, sa)
}

func checkAndUpdateImpersonationRole(ctx context.Context, kc *KubeClients, name string, rules []rbacv1.PolicyRule) (*rbacv1.ClusterRole, error) {
	crs := kc.Wrangler.RbacV1().ClusterRoles()
	for attempt := 0; ; attempt++ {
		role, err := crs.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if reflect.DeepEqual(role.Rules, rules) {
			return role, nil
		}
		role.Rules = rules
		role, err = crs.Update(ctx, role, metav1.UpdateOptions{})
		if err == nil {
			return role, nil
		}
		if !apierrors.IsConflict(err) || attempt >= 4 {
			return nil, err
		}
	}
}

func createImpersonationNamespace(ctx context.Context, kc *KubeClients) error {
	nss := kc.Wrangler.CoreV1().Namespaces()
	_, err := nss.Get(ctx, impersonationNamespace, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = nss.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: impersonationNamespace, Labels: impersonationObjectLabels()}}, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
	}
	return err
}

func createImpersonationRole(ctx context.Context, kc *KubeClients, name string, rules []rbacv1.PolicyRule) (*rbacv1.ClusterRole, error) {
	crs := kc.Wrangler.RbacV1().ClusterRoles()
	role, err := crs.Create(ctx, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: impersonationObjectLabels()},
		Rules:      rules,
	}, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return crs.Get(ctx, name, metav1.GetOptions{})
	}
	return role, err
}

func ownerRefToClusterRole(role *rbacv1.ClusterRole) []metav1.OwnerReference {
	return []metav1.OwnerReference{{Name: role.Name, UID: role.UID, APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"}}
}

func createImpersonationServiceAccount(ctx context.Context, kc *KubeClients, name string, role *rbacv1.ClusterRole) (*corev1.ServiceAccount, error) {
	sas := kc.Wrangler.CoreV1().ServiceAccounts(impersonationNamespace)
	sa, err := sas.Get(ctx, name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("impersonation: error getting service account [%s:%s]: %w", impersonationNamespace, name, err)
	}
	if apierrors.IsNotFound(err) {
		sa, err = sas.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: impersonationNamespace, Labels: impersonationObjectLabels(),
			OwnerReferences: ownerRefToClusterRole(role),
		}}, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			sa, err = sas.Get(ctx, name, metav1.GetOptions{})
		}
		if err != nil {
			return nil, fmt.Errorf("impersonation: error getting service account [%s:%s]: %w", impersonationNamespace, name, err)
		}
	}
	if _, err := ensureSecretForServiceAccount(ctx, kc, sa); err != nil {
		return nil, fmt.Errorf("impersonation: error ensuring secret for service account %s: %w", name, err)
	}
	return sa, nil
}

func createImpersonationRoleBinding(ctx context.Context, kc *KubeClients, name string, role *rbacv1.ClusterRole, sa *corev1.ServiceAccount) error {
	crbs := kc.Wrangler.RbacV1().ClusterRoleBindings()
	_, err := crbs.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = crbs.Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name, OwnerReferences: ownerRefToClusterRole(role), Labels: impersonationObjectLabels()},
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", APIGroup: "", Name: sa.Name, Namespace: sa.Namespace}},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		}, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
	}
	return err
}

// waitForServiceAccount: 10 tries 200 ms apart until the service account
// exists and its token secret carries a token.
func waitForServiceAccount(ctx context.Context, kc *KubeClients, sa *corev1.ServiceAccount) (*corev1.ServiceAccount, error) {
	var lastErr error
	for i := 0; i < 10; i++ {
		got, err := kc.Wrangler.CoreV1().ServiceAccounts(impersonationNamespace).Get(ctx, sa.Name, metav1.GetOptions{})
		if err == nil {
			secret, err := serviceAccountSecret(ctx, kc, got)
			if err == nil && secret != nil && len(secret.Data[corev1.ServiceAccountTokenKey]) > 0 {
				return got, nil
			}
			lastErr = err
		} else if !apierrors.IsNotFound(err) {
			lastErr = err
			break
		}
		if !sleepCtx(ctx, 200*time.Millisecond) {
			return nil, ctx.Err()
		}
	}
	if lastErr == nil {
		lastErr = errors.New("timed out waiting for the condition")
	}
	return nil, fmt.Errorf("failed to get secret for service account: %s/%s, error: %w", sa.Namespace, sa.Name, lastErr)
}

// serviceAccountSecret is serviceaccounttoken.ServiceAccountSecret: the
// first secret labelled for the service account that is really its token
// secret (others are deleted).
func serviceAccountSecret(ctx context.Context, kc *KubeClients, sa *corev1.ServiceAccount) (*corev1.Secret, error) {
	secrets := kc.Typed.CoreV1().Secrets(sa.Namespace)
	list, err := secrets.List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(map[string]string{serviceAccountSecretLabel: sa.Name}).String()})
	if err != nil {
		return nil, fmt.Errorf("could not get secrets for service account: %w", err)
	}
	var result *corev1.Secret
	for i := range list.Items {
		s := &list.Items[i]
		if s.Type == corev1.SecretTypeServiceAccountToken && s.Annotations[serviceAccountSecretAnnotation] == sa.Name {
			if result == nil {
				result = s
			}
			continue
		}
		_ = secrets.Delete(ctx, s.Name, metav1.DeleteOptions{})
	}
	return result, nil
}

// ensureSecretForServiceAccount is serviceaccounttoken.EnsureSecretForServiceAccount:
// find or create (with client-go's typed client, i.e. protobuf) the token
// secret and wait until the token controller filled it.
func ensureSecretForServiceAccount(ctx context.Context, kc *KubeClients, sa *corev1.ServiceAccount) (*corev1.Secret, error) {
	secrets := kc.Typed.CoreV1().Secrets(sa.Namespace)
	secret, err := serviceAccountSecret(ctx, kc, sa)
	if err != nil {
		return nil, fmt.Errorf("error looking up secret for service account [%s:%s]: %w", sa.Namespace, sa.Name, err)
	}
	if secret == nil {
		secret, err = secrets.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				GenerateName:    sa.Name + "-token-",
				Namespace:       sa.Namespace,
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "ServiceAccount", Name: sa.Name, UID: sa.UID}},
				Annotations:     map[string]string{serviceAccountSecretAnnotation: sa.Name},
				Labels:          map[string]string{serviceAccountSecretLabel: sa.Name},
			},
			Type: corev1.SecretTypeServiceAccountToken,
		}, metav1.CreateOptions{})
		if err != nil {
			return nil, fmt.Errorf("error ensuring secret for service account [%s:%s]: %w", sa.Namespace, sa.Name, err)
		}
	}
	// wait.Backoff{Duration: 2ms, Cap: 100ms, Steps: 50} (factor 0 in
	// Rancher's code, i.e. a constant 2 ms): the token controller is fast.
	delay := 2 * time.Millisecond
	for step := 0; len(secret.Data[corev1.ServiceAccountTokenKey]) == 0; step++ {
		if step >= 50 {
			return nil, fmt.Errorf("error ensuring secret for service account [%s:%s]: timed out waiting for the token controller to fill secret %s", sa.Namespace, sa.Name, secret.Name)
		}
		if !sleepCtx(ctx, delay) {
			return nil, ctx.Err()
		}
		delay = min(delay*2, 100*time.Millisecond)
		secret, err = secrets.Get(ctx, secret.Name, metav1.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("error ensuring secret for service account [%s:%s]: %w", sa.Namespace, sa.Name, err)
		}
	}
	return secret, nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// --- CRTB sync -----------------------------------------------------------

// CRTBStatus is a ClusterRoleTemplateBinding of the cluster as the control
// API shows it, with the remote conditions cluster-crtb-sync records.
type CRTBStatus struct {
	Name             string      `json:"name"`
	Namespace        string      `json:"namespace"`
	UserName         string      `json:"userName"`
	RoleTemplateName string      `json:"roleTemplateName"`
	RemoteConditions []Condition `json:"remoteConditions"`
	LastSync         *time.Time  `json:"lastSync,omitempty"`
}

// crtbsOf lists the cluster's CRTBs: the creator's, and the system
// account's once clusterdeploy created it.
func (a *App) crtbsOf(c Cluster) []CRTBStatus {
	out := []CRTBStatus{{Name: creatorCRTBName, Namespace: c.ID, UserName: a.adminUserID, RoleTemplateName: clusterOwnerRole}}
	if c.SystemUserID != "" && conditionIs(c.Conditions, condSystemAccountCreated, "True") {
		out = append(out, CRTBStatus{Name: c.SystemUserID + "-admin", Namespace: c.ID, UserName: c.SystemUserID, RoleTemplateName: clusterOwnerRole})
	}
	return out
}

// clusterOwnerRules are the cluster-owner role template's rules
// (rancher:pkg/data/management/role_data.go), lower-cased as
// ToLowerRoleTemplates leaves them.
func clusterOwnerRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}},
		{NonResourceURLs: []string{"*"}, Verbs: []string{"*"}},
	}
}

// rtbLabel is pkg/rbac GetRTBLabel: SafeConcatName(namespace + "_" + name).
func rtbLabel(namespace, name string) string { return safeConcatName(namespace + "_" + name) }

// safeConcatName is wrangler name.SafeConcatName for one part: names over
// 63 characters are cut to 57 and given "-" + 5 hex of their sha256.
func safeConcatName(s string) string {
	if len(s) <= 63 {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return s[:57] + "-" + fmt.Sprintf("%x", sum)[:5]
}

// crbNameFor is pkg/rbac NameForClusterRoleBinding.
func crbNameFor(roleKind, roleName, subjectKind, subjectName string) string {
	sum := sha256.Sum256([]byte("" + roleKind + roleName + subjectKind + subjectName))
	return "crb-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])[:10])
}

// syncCRTB is crtbLifecycle.syncCRTB for a cluster-owner binding of a user.
func (cm *clusterManager) syncCRTB(ctx context.Context, b CRTBStatus) ([]Condition, error) {
	var conds []Condition
	add := func(typ, reason string, err error) {
		c := Condition{Type: typ, Status: "True", Reason: reason, LastTransitionTime: nowRFC3339()}
		if err != nil {
			c.Status, c.Message = "False", err.Error()
		}
		conds = append(conds, c)
	}
	kc, err := cm.kube()
	if err != nil {
		add("ClusterRolesExists", "FailedToCreateRoles", err)
		return conds, err
	}
	c, ok := cm.a.store.Get(cm.id)
	if !ok {
		return conds, context.Canceled
	}
	u, ok := cm.a.userByID(c, b.UserName)
	if !ok {
		add("ClusterRolesExists", "UserOrGroupDoesNotExist", nil)
		return conds, nil
	}
	// ensureRoles: ClusterRole cluster-owner with the template's rules.
	if err := ensureTemplateClusterRole(ctx, kc, clusterOwnerRole, clusterOwnerRules()); err != nil {
		err = fmt.Errorf("couldn't ensure roles: %w", err)
		add("ClusterRolesExists", "FailedToCreateRoles", err)
		return conds, err
	}
	add("ClusterRolesExists", "ClusterRolesExists", nil)
	// ensureClusterBindings: crb-<hash> User -> ClusterRole cluster-owner.
	if err := ensureTemplateBinding(ctx, kc, b, u); err != nil {
		err = fmt.Errorf("couldn't ensure cluster bindings %v: %w", b.Name, err)
		add("ClusterRoleBindingsExists", "FailedToCreateBindings", err)
		return conds, err
	}
	add("ClusterRoleBindingsExists", "ClusterRoleBindingsExists", nil)
	// ensureServiceAccountImpersonator
	if _, err := setupImpersonation(ctx, kc, u); err != nil {
		err = fmt.Errorf("couldn't ensure service account impersonator: %w", err)
		add("ServiceAccountImpersonatorExists", "FailedToCreateServiceAccountImpersonator", err)
		return conds, err
	}
	add("ServiceAccountImpersonatorExists", "ServiceAccountImpersonatorExists", nil)
	return conds, nil
}

func ensureTemplateClusterRole(ctx context.Context, kc *KubeClients, name string, rules []rbacv1.PolicyRule) error {
	crs := kc.Wrangler.RbacV1().ClusterRoles()
	cr, err := crs.Get(ctx, name, metav1.GetOptions{})
	if err == nil {
		if reflect.DeepEqual(cr.Rules, rules) {
			return nil
		}
		cr.Rules = rules
		if _, err := crs.Update(ctx, cr, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("couldn't update clusterRole %v: %w", name, err)
		}
		return nil
	}
	if !apierrors.IsNotFound(err) {
		return err
	}
	_, err = crs.Create(ctx, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{clusterRoleOwnerAnnot: name}},
		Rules:      rules,
	}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("couldn't create clusterRole %v: %w", name, err)
	}
	return nil
}

func ensureTemplateBinding(ctx context.Context, kc *KubeClients, b CRTBStatus, u rancherUser) error {
	subject := rbacv1.Subject{Kind: "User", Name: u.ID, APIGroup: rbacv1.GroupName}
	name := crbNameFor("ClusterRole", b.RoleTemplateName, subject.Kind, subject.Name)
	crbs := kc.Wrangler.RbacV1().ClusterRoleBindings()
	if _, err := crbs.Get(ctx, name, metav1.GetOptions{}); err == nil {
		return nil
	} else if !apierrors.IsNotFound(err) {
		return err
	}
	_, err := crbs.Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{rtbOwnerLabel: rtbLabel(b.Namespace, b.Name)}},
		Subjects:   []rbacv1.Subject{subject},
		RoleRef:    rbacv1.RoleRef{Kind: "ClusterRole", Name: b.RoleTemplateName},
	}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}
