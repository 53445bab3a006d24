#!/bin/bash
# printf formats are built on purpose here: they are \xNN escapes.
# shellcheck disable=SC2059
# Write the seed corpus of fuzz-rpc into DIR (default tests/fuzz/corpus-rpc).
# Each file: a mode byte and a seed byte (see fuzz-rpc.c), then a stream of
# frames (4-byte big-endian length, JSON text).
set -euo pipefail
export LC_ALL=C
dir=${1:-$(cd "$(dirname "$0")" && pwd)/corpus-rpc}
mkdir -p "$dir"

# hdr N: a 4-byte big-endian length
hdr() {
	printf "\\x$(printf %02x $(($1 >> 24 & 255)))"
	printf "\\x$(printf %02x $(($1 >> 16 & 255)))"
	printf "\\x$(printf %02x $(($1 >> 8 & 255)))"
	printf "\\x$(printf %02x $(($1 & 255)))"
}
# frame TEXT: a whole frame
frame() {
	hdr ${#1}
	printf '%s' "$1"
}
# call ID PROC ARGS
call() {
	frame "{\"type\":\"call\",\"version\":1,\"id\":$1,\"proc\":$2,\"args\":$3}"
}
# seed NAME MODE: the stream on stdin, prefixed with MODE and a seed
seed() {
	{ printf "\\x$2\\x5a"; cat; } >"$dir/$1"
}

xml="<domain type='kvm'><name>vm1</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>"
call 1 1 '{}' | seed call-get-version 00
call 2 2 '{}' | seed call-get-hostname 01
call 3 3 '{}' | seed call-node-info 02
call 4 4 '{}' | seed call-capabilities 03
call 5 5 '{}' | seed call-identity 04
call 6 10 "{\"xml\":\"$xml\"}" | seed call-dom-define 05
call 7 11 '{"dom":"vm1"}' | seed call-dom-undefine 06
call 8 12 "{\"xml\":\"$xml\",\"paused\":true}" | seed call-dom-create 07
call 9 13 '{"dom":"vm1","paused":false}' | seed call-dom-start 00
call 10 14 '{"dom":"vm1"}' | seed call-dom-shutdown 01
call 11 15 '{"dom":"3","graceful":true}' | seed call-dom-destroy 02
call 12 20 '{"dom":"vm1","kib":524288,"live":true,"config":true}' |
    seed call-dom-set-memory 03
call 13 21 '{"dom":"vm1","kib":1048576}' | seed call-dom-set-max-memory 04
call 14 22 '{"dom":"vm1","autostart":true}' | seed call-dom-set-autostart 05
call 15 30 '{"active":true,"inactive":true}' | seed call-dom-list 06
call 16 30 '{"fields":["id","name","state"]}' | seed call-dom-list-fields 07
call 17 31 '{"dom":"6f1c7a2e-3b7d-4c41-9d9a-0f3f2b8e1a55"}' |
    seed call-dom-get-info 00
call 18 32 '{"dom":"vm1","inactive":true,"secure":true}' |
    seed call-dom-get-xml 01
call 19 33 "{\"xml\":\"$xml\"}" | seed call-dom-xml-to-native 02
call 20 40 '{"events":["lifecycle"]}' | seed call-event-subscribe 03

# Several calls pipelined, cut in various ways.
{ call 1 1 '{}'; call 2 31 '{"dom":"vm1"}'; call 3 16 '{"dom":"vm1"}'
  call 4 17 '{"dom":"vm1"}'; call 5 18 '{"dom":"vm1"}'
  call 6 19 '{"dom":"vm1"}'; } | seed pipelined-1byte 01
{ call 1 1 '{}'; call 2 30 '{}'; call 3 5 '{}'; } | seed pipelined-header 06
{ call 1 1 '{}'; call 2 30 '{}'; call 3 5 '{}'; } | seed pipelined-random 07

# Read-only connection: mutations refused, secure XML refused.
call 1 10 "{\"xml\":\"$xml\"}" | seed readonly-define 08
call 2 32 '{"dom":"vm1","secure":true}' | seed readonly-secure-xml 09

# Envelopes the daemon must refuse.
frame 'not json' | seed bad-not-json 00
frame '[1,2,3]' | seed bad-array 00
frame '{"type":"call","version":1,"id":1,"proc":1} trailing' |
    seed bad-trailing 00
frame '{"type":"call","version":1,"id":1,"proc":1}{}' | seed bad-two-objects 02
frame '{"version":1,"id":1,"proc":1}' | seed bad-no-type 00
frame '{"type":"reply","version":1,"id":1,"proc":1}' | seed bad-type 01
frame '{"type":"call","version":2,"id":1,"proc":1}' | seed bad-version 00
frame '{"type":"call","version":"1","id":1,"proc":1}' |
    seed bad-version-string 00
frame '{"type":"call","version":1,"id":1}' | seed bad-no-proc 00
frame '{"type":"call","version":1,"id":1,"proc":999}' | seed bad-proc-999 00
frame '{"type":"call","version":1,"id":1,"proc":0}' | seed bad-proc-0 00
frame '{"type":"call","version":1,"id":1,"proc":7}' | seed bad-proc-gap 00
frame '{"type":"call","version":1,"id":1,"proc":-9223372036854775808}' |
    seed bad-proc-min 00
frame '{"type":"call","version":1,"id":1,"proc":1.5}' | seed bad-proc-float 00
frame '{"type":"call","version":1,"id":1,"proc":31,"args":[]}' |
    seed bad-args-array 00
frame '{"type":"call","version":1,"id":"x","proc":31,"args":{}}' |
    seed bad-id-string 00
frame '{"type":"call","version":1,"id":18446744073709551615,"proc":31,"args":{"dom":null}}' |
    seed bad-id-max 00
frame '{"type":"call","version":1,"id":-1,"proc":20,"args":{"dom":"a","kib":-5}}' |
    seed bad-kib-negative 00
frame '{"type":"call","version":1,"id":1,"proc":20,"args":{"dom":1,"kib":"5"}}' |
    seed bad-arg-types 00
frame '{"type":"call","version":1,"id":1,"proc":30,"args":{"fields":["id",null,7]}}' |
    seed bad-fields 00
frame '{"type":"call","version":1,"id":1,"proc":31,"args":{"dom":"a\u0000b"}}' |
    seed bad-nul-in-string 00
frame '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]' |
    seed bad-deep 00
{ hdr 12; printf '{"a":1}\0\0\0\0\0'; } | seed bad-nul-bytes 00

# Framing: zero length, oversized headers, truncation.
hdr 0 | seed frame-zero 00
{ call 1 1 '{}'; hdr 0; call 2 1 '{}'; } | seed frame-zero-after-call 01
hdr 4294967295 | seed frame-huge 00
{ hdr 4194305; printf '{}'; } | seed frame-over-max 02
{ hdr 4194304; printf '{"type":"call"'; } | seed frame-max-truncated 05
{ call 1 1 '{}'; printf '\0\0'; } | seed frame-truncated-header 01
{ hdr 100; printf '{"type":"call"'; } | seed frame-truncated-body 03
call 1 10 "{\"xml\":\"$xml\"}" | seed frame-over-small-max 80
{ call 1 1 '{}'; call 2 1 '{}'; } | seed frame-small-max-ok f1
: | seed empty 00

# Data streams: stream frames (flag 0x80000000, 4-byte id, data), stream
# messages, stream calls.
# sframe ID DATA: a stream frame
sframe() {
	hdr $((0x80000000 | (${#2} + 4)))
	hdr "$1"
	printf '%s' "$2"
}
call 1 140 '{"pool":"p","vol":"a.raw","offset":4096,"length":13}' |
    seed call-vol-upload 00
call 2 141 '{"vol":"/p/a.raw","length":0}' | seed call-vol-download 01
call 3 142 '{"dom":"vm1","devname":"serial0","force":true}' |
    seed call-dom-open-console 02
{ sframe 1 'hello streams'; sframe 1 ''; call 2 1 '{}'; } |
    seed stream-data-then-call 03
{ sframe 7 'x'; frame '{"type":"stream","id":7,"status":"abort"}'; } |
    seed stream-abort 06
frame '{"type":"stream","id":7}' | seed stream-no-status 00
hdr $((0x80000000 | 2)) | seed stream-too-short 00
{ hdr $((0x80000000 | (262144 + 5))); printf 'xxxx'; } |
    seed stream-over-chunk 01
hdr 4294967295 | seed stream-max-word 00
