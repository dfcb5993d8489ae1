package main

// The stand-in's own PKI: a self-signed CA kept in --data-dir (so it is the
// same across restarts, as Rancher's cacerts setting is) and a serving
// certificate for 127.0.0.1/localhost and the --server-url host, issued
// fresh on every start.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

type PKI struct {
	CAPEM      string // CA certificate PEM, without trailing newline (the cacerts setting value)
	caCert     *x509.Certificate
	caKey      *ecdsa.PrivateKey
	ServerCert tls.Certificate
}

// CAChecksum is what the manifest puts in CATTLE_CA_CHECKSUM and what the
// agent recomputes as sha256(value + "\n") from GET /v3/settings/cacerts.
func (p *PKI) CAChecksum() string {
	sum := sha256.Sum256([]byte(p.CAPEM + "\n"))
	return hex.EncodeToString(sum[:])
}

// LoadOrCreatePKI uses caCertFile/caKeyFile when given, else data-dir/ca.crt
// and ca.key, creating them on first start.
func LoadOrCreatePKI(dataDir, caCertFile, caKeyFile string, hosts []string) (*PKI, error) {
	if caCertFile == "" {
		caCertFile = filepath.Join(dataDir, "ca.crt")
	}
	if caKeyFile == "" {
		caKeyFile = filepath.Join(dataDir, "ca.key")
	}
	p := &PKI{}
	certPEM, errC := os.ReadFile(caCertFile)
	keyPEM, errK := os.ReadFile(caKeyFile)
	switch {
	case errC == nil && errK == nil:
		if err := p.loadCA(certPEM, keyPEM); err != nil {
			return nil, err
		}
	case errors.Is(errC, os.ErrNotExist) && errors.Is(errK, os.ErrNotExist):
		certPEM, keyPEM, err := p.createCA()
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(caCertFile, certPEM, 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(caKeyFile, keyPEM, 0o600); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("CA files: cert %v, key %v", errC, errK)
	}
	if err := p.issueServerCert(hosts); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *PKI) createCA() ([]byte, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "dynamiclistener-ca", Organization: []string{"dynamiclistener-org"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, p.loadCA(certPEM, keyPEM)
}

func (p *PKI) loadCA(certPEM, keyPEM []byte) error {
	cb, _ := pem.Decode(certPEM)
	if cb == nil {
		return errors.New("CA certificate: no PEM block")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return err
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return errors.New("CA key: no PEM block")
	}
	var key *ecdsa.PrivateKey
	if k, err := x509.ParseECPrivateKey(kb.Bytes); err == nil {
		key = k
	} else if k8, err2 := x509.ParsePKCS8PrivateKey(kb.Bytes); err2 == nil {
		ek, ok := k8.(*ecdsa.PrivateKey)
		if !ok {
			return errors.New("CA key: only ECDSA keys are supported")
		}
		key = ek
	} else {
		return fmt.Errorf("CA key: %v", err)
	}
	p.caCert, p.caKey = cert, key
	p.CAPEM = strings.TrimSpace(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})))
	return nil
}

func (p *PKI) issueServerCert(hosts []string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "dynamic", Organization: []string{"dynamic"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	seen := map[string]bool{}
	for _, h := range append([]string{"127.0.0.1", "localhost"}, hosts...) {
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, p.caKey)
	if err != nil {
		return err
	}
	p.ServerCert = tls.Certificate{Certificate: [][]byte{der, p.caCert.Raw}, PrivateKey: key}
	return nil
}

func randomSerial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}
