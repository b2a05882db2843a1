package registry

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeClientCert writes a self-signed client certificate and its key as
// PEM files and returns their paths and the certificate.
func writeClientCert(t *testing.T) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "civis-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "PRIVATE KEY", keyDER)
	return certFile, keyFile, cert
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestHTTPClientCertificate(t *testing.T) {
	certFile, keyFile, cert := writeClientCert(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != "civis-test" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		reply(http.StatusOK, `{"outcome":"verified"}`)(w, r)
	}))
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.StartTLS()
	defer srv.Close()

	h, err := NewHTTP(HTTPConfig{BaseURL: srv.URL, ClientCert: certFile, ClientKey: keyFile}, srv.Client())
	if err != nil {
		t.Fatalf("NewHTTP: %v", err)
	}
	got, err := h.CheckSNILS(context.Background(), ivanov, "112-233-445 95")
	if err != nil || got.Outcome != Verified {
		t.Errorf("with certificate: %+v, %v; want verified", got, err)
	}
	if len(srv.Client().Transport.(*http.Transport).TLSClientConfig.Certificates) != 0 {
		t.Errorf("NewHTTP changed the given client's transport")
	}

	without, err := NewHTTP(HTTPConfig{BaseURL: srv.URL, Token: "t"}, srv.Client())
	if err != nil {
		t.Fatalf("NewHTTP: %v", err)
	}
	if _, err := without.CheckSNILS(context.Background(), ivanov, "112-233-445 95"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("without certificate: error %v, want ErrUnavailable (handshake refused)", err)
	}
}
