#!/bin/sh
# Makes the test PKI of docgate with the openssl command line (and the GOST engine for GOST keys), in the
# directory given, the way real Russian PKIs look:
#
#   ca.pem                 root CA «Тестовый корневой УЦ» (RSA); signs the plain test signers below directly
#   intermediate.pem       subordinate CA «Тестовый подчинённый УЦ», issued by the root
#   qualified-org.pem      organisation certificate from the intermediate: ИНН ЮЛ/ОГРН in the subject, policies
#                          КС1 and КС2, subjectSignTool and issuerSignTool (the grantor of the sample documents)
#   qualified-executor.pem the same for the executor of the sample documents (policy КС1 only)
#   qualified-person.pem   a person's certificate from the intermediate: СНИЛС and ИНН ФЛ (the sample consumer)
#   revoked-ca.pem         a second subordinate CA, which the root revoked; revoked-ca-signer.pem is one of its signers
#   empty.crl              a current CRL of the root that revokes nothing
#   root.crl, intermediate.crl, revoked-ca.crl   current CRLs of the three CAs
#   rsa.pem ec.pem gost.pem gost512.pem  signers from the root with ИНН ЮЛ/ОГРН (the sample parties)
#   tls.pem (serverAuth only), revoked.pem + fresh.crl + stale.crl, expired.pem, nosign.pem, other-ca.pem ...
#
# Usage: make-test-pki.sh DIR GOST_ENGINE_PATH
# Nothing here is secret: the keys are made for the tests of one run and thrown away with DIR.
set -eu
dir=$1
engine=$2
pass='тест-пароль-1'
mkdir -p "$dir"
cd "$dir"
unset OPENSSL_CONF

cat > gost.cnf <<EOF
openssl_conf = openssl_def
[openssl_def]
engines = engine_section
[engine_section]
gost = gost_section
[gost_section]
engine_id = gost
dynamic_path = $engine
default_algorithms = ALL
EOF

# OpenSSL 3.0 does not know ИНН ЮЛ (1.2.643.100.4) by name and drops unknown subject attributes: named here.
cat > ca-req.cnf <<'EOF'
oid_section = oids
[oids]
INNLE = 1.2.643.100.4
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
EOF

cat > ext.cnf <<'EOF'
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[subca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 1.2.643.100.113.1,1.2.643.100.113.2
[signer]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
[nosign]
basicConstraints = CA:FALSE
keyUsage = critical,keyEncipherment
[tls]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.org
[tlssign]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = serverAuth,1.2.643.2.2.34.6
# A qualified certificate as Приказ ФСБ № 795 describes it: policies КС1/КС2, the signature tool of the holder
# (subjectSignTool, 1.2.643.100.111) and of the CA (issuerSignTool, 1.2.643.100.112), EKU clientAuth and e-mail.
[qualified]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation,keyEncipherment
extendedKeyUsage = clientAuth,emailProtection
certificatePolicies = 1.2.643.100.113.1,1.2.643.100.113.2
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.2.643.100.111 = ASN1:UTF8String:СКЗИ «Тест-CSP» (версия 5.0)
1.2.643.100.112 = ASN1:SEQUENCE:issuer_sign_tool
[qualified_ks1]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = clientAuth,emailProtection
certificatePolicies = 1.2.643.100.113.1
1.2.643.100.111 = ASN1:UTF8String:СКЗИ «Тест-CSP» (версия 5.0)
1.2.643.100.112 = ASN1:SEQUENCE:issuer_sign_tool
[issuer_sign_tool]
tool = UTF8String:ПАК «Тестовый УЦ»
ca_tool = UTF8String:ПАК «Тестовый УЦ 2.0»
tool_certificate = UTF8String:Сертификат соответствия № СФ/000-0000
ca_certificate = UTF8String:Сертификат соответствия № СФ/000-0001
EOF

printf '%s' "$pass" > passphrase.txt

ssl() { openssl "$@" 2>>openssl.log; }
gost() { OPENSSL_CONF="$dir/gost.cnf" openssl "$@" 2>>openssl.log; }

# make_ca NAME SUBJECT: a self-signed root.
make_ca() {
    ssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 3650 -subj "$2" -utf8 \
        -extensions ca -config ca-req.cnf
}

# issue KEY CERT CA SUBJECT [DAYS] [SECTION] [gost]
issue() {
    run=ssl
    [ "${7:-}" = gost ] && run=gost
    $run req -new -key "$1" -out "$2.csr" -subj "$4" -utf8 -config ca-req.cnf
    $run x509 -req -in "$2.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -out "$2" -days "${5:-365}" \
        -extfile ext.cnf -extensions "${6:-signer}"
    rm -f "$2.csr"
}

# gencrl CA INDEX OUT [lastUpdate nextUpdate]: a CRL of CA from an `openssl ca` index of revoked serials.
gencrl() {
    cat > "$1-crl.cnf" <<EOF
[ca]
default_ca = dg
[dg]
database = $dir/$2
crlnumber = $dir/$1-crlnumber
default_md = sha256
default_crl_days = 30
EOF
    [ -f "$1-crlnumber" ] || echo 01 > "$1-crlnumber"
    if [ $# -ge 5 ]; then
        ssl ca -gencrl -config "$1-crl.cnf" -keyfile "$1.key" -cert "$1.pem" -out "$3" -crl_lastupdate "$4" -crl_nextupdate "$5"
    else
        ssl ca -gencrl -config "$1-crl.cnf" -keyfile "$1.key" -cert "$1.pem" -out "$3"
    fi
}

# revoked_line CERT: an index line that lists CERT as revoked on 2025-01-01.
revoked_line() {
    serial=$(openssl x509 -in "$1" -noout -serial | sed 's/serial=//')
    printf 'R\t351231235959Z\t250101000000Z\t%s\tunknown\t/CN=revoked\n' "$serial"
}

# Roots.
make_ca ca "/C=RU/O=Тестовый УЦ docgate/CN=Тестовый корневой УЦ"
make_ca other-ca "/C=RU/O=Посторонний УЦ/CN=Посторонний УЦ"

# Keys.
ssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key
ssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key
gost genpkey -algorithm gost2012_256 -pkeyopt paramset:A -out gost.key
gost genpkey -algorithm gost2012_512 -pkeyopt paramset:A -out gost512.key
ssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.key

# The plain signers from the root. Their subjects name the parties of the sample documents, so the signer policy
# binds them as the real ones would be: the grantor/authorised body and the executor.
grantor="/C=RU/O=Минсоцполитики Красноярского края/INNLE=2466012340/OGRN=1022401123458"
executor="/C=RU/O=АНО «Забота»/INNLE=2461004522/OGRN=1162468055200"
issue rsa.key rsa.pem ca "$grantor/CN=Иванова Анна Петровна"
issue ec.key ec.pem ca "$executor/CN=Петров Пётр Петрович"
issue gost.key gost.pem ca "$grantor/CN=Сидоров Сидор" 365 signer gost
issue gost512.key gost512.pem ca "$grantor/CN=Кузнецова Мария" 365 signer gost
issue rsa.key expired.pem ca "/C=RU/CN=Просроченный" -1
issue rsa.key nosign.pem ca "/C=RU/CN=Только шифрование" 365 nosign
issue other.key other.pem other-ca "$grantor/CN=Посторонний подписант"
issue rsa.key tls.pem ca "/CN=www.example.org" 365 tls
issue rsa.key revoked.pem ca "$grantor/CN=Отозванный подписант"
issue rsa.key tls-and-signing.pem ca "/C=RU/CN=Сервер и подписант" 365 tlssign
# A signer of the grantor's organisation with no ИНН or ОГРН: bound only by the fingerprint mapping.
issue rsa.key anonymous.pem ca "/C=RU/O=Минсоцполитики Красноярского края/CN=Без реквизитов"

# The root's CRLs: fresh and stale, both revoking revoked.pem.
revoked_line revoked.pem > index.txt
gencrl ca index.txt fresh.crl
gencrl ca index.txt stale.crl 20250101000000Z 20250201000000Z
: > empty-index.txt
gencrl ca empty-index.txt empty.crl
cat ca.pem fresh.crl > ca-with-crl.pem
cat ca.pem stale.crl > ca-with-stale-crl.pem

# The qualified branch: an intermediate CA and its holders.
ssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out intermediate.key
ssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out qualified.key
ssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out person.key
ssl req -new -key intermediate.key -out intermediate.csr -subj "/C=RU/O=Тестовый УЦ docgate/CN=Тестовый подчинённый УЦ" -utf8 -config ca-req.cnf
ssl x509 -req -in intermediate.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out intermediate.pem -days 1825 -extfile ext.cnf -extensions subca
issue qualified.key qualified-org.pem intermediate "$grantor/CN=Иванова Анна Петровна/title=Министр" 365 qualified
issue qualified.key qualified-executor.pem intermediate "$executor/CN=Петров Пётр Петрович/title=Директор" 365 qualified_ks1
issue person.key qualified-person.pem intermediate "/C=RU/SN=Петрова/GN=Анна Сергеевна/CN=Петрова Анна Сергеевна/SNILS=11223344595/INN=246500123456" 365 qualified
cat qualified-org.pem intermediate.pem > qualified-org-chain.pem
cat qualified-executor.pem intermediate.pem > qualified-executor-chain.pem
cat qualified-person.pem intermediate.pem > qualified-person-chain.pem

# A subordinate CA that the root revoked, and a signer of it.
ssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out revoked-ca.key
ssl req -new -key revoked-ca.key -out revoked-ca.csr -subj "/C=RU/O=Тестовый УЦ docgate/CN=Отозванный подчинённый УЦ" -utf8 -config ca-req.cnf
ssl x509 -req -in revoked-ca.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out revoked-ca.pem -days 1825 -extfile ext.cnf -extensions subca
issue qualified.key revoked-ca-signer.pem revoked-ca "$grantor/CN=Подписант отозванного УЦ" 365 qualified
cat revoked-ca-signer.pem revoked-ca.pem > revoked-ca-signer-chain.pem
rm -f intermediate.csr revoked-ca.csr

# CRLs of the qualified branch: the root revokes revoked-ca (and revoked.pem), the subordinates revoke nothing.
{ revoked_line revoked.pem; revoked_line revoked-ca.pem; } > root-index.txt
: > intermediate-index.txt
: > revoked-ca-index.txt
gencrl ca root-index.txt root.crl
gencrl intermediate intermediate-index.txt intermediate.crl
gencrl revoked-ca revoked-ca-index.txt revoked-ca.crl

# Key containers.
ssl pkcs8 -topk8 -in rsa.key -out rsa-encrypted.key -v2 aes-256-cbc -passout "pass:$pass"
ssl pkcs8 -topk8 -in rsa.key -outform DER -out rsa-encrypted.der -v2 aes-256-cbc -passout "pass:$pass"
ssl pkcs12 -export -inkey rsa.key -in rsa.pem -certfile ca.pem -out rsa.p12 -passout "pass:$pass"

# Secrets closed to group and others, as docgate requires of them (DG5017); certificates stay as made.
chmod 600 ./*.key rsa-encrypted.der rsa.p12 passphrase.txt
