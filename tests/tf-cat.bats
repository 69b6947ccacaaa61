#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# tf-cat: the text and JSON views of a stream.  The malformed streams are
# in stream.bats.

setup() {
	load helper
	GOLDEN=$DATA/golden/basic.tfs
	T=$BATS_TEST_TMPDIR
}

END='end packets=1'

# mk NAME: the description on stdin becomes $T/NAME.tfs.
mk() {
	mkstream >"$T/$1.tfs"
}

need_jq() {
	command -v jq >/dev/null || skip "jq is not installed"
}

@test "text: one line per record of the golden stream" {
	run -0 --separate-stderr tf-cat <"$GOLDEN"
	[ -z "$stderr" ]
	diff -u - <(printf '%s\n' "$output") <<'EOF'
header program "tf-reassemble 0.1.0" pcap "libpcap version 1.10.3" linktype 1 snaplen 262144 tsresol 1000 start 2023-11-14T22:13:20.123456789Z source file "a.pcap" "b c.pcap"
annot 0 - reassemble.command "tf-reassemble -r a.pcap -r 'b c.pcap'"
open 1 2023-11-14T22:13:20.000001Z 10.0.0.1:1234 > 10.0.0.2:80 vlan 42,7 counter 0 packet 1 ether 00:11:22:33:44:55 > 66:77:88:99:aa:bb syn,mac
data 1 > 0+32 "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n"
annot 1 > split.path "out/010.000.000.001.01234-010.000.000.002.00080--7"
data 1 < 0+39 "HTTP/1.1 200 OK\r\nContent-Length: 27\r\n\r\n"
gap 1 < 39+20 lost
data 1 < 59+7 "\x00\xff\x7f\x80\"\\\t"
annot 1 < http.note "tab\there \"quoted\""
open 2 2023-11-14T22:13:21.000000Z [2001:db8::1]:40000 > [2001:db8::2]:443 counter 1 packet 9 midstream
kind 99 len 11
data 2 < 0+3 "\x16\x03\x01"
gap 2 > 0+100 snaplen
close 1 2023-11-14T22:13:20.000400Z fin > packets 4 bytes 32 syn,fin < packets 5 bytes 46 gaps 1 gapbytes 20 retrans 2 ooo 1 overlapdiff 1 violations 1 syn,fin
close 2 2023-11-14T22:13:22.000000Z end > packets 1 bytes 0 gaps 1 gapbytes 100 < packets 1 bytes 3
end packets 12 bytes 1400 not_ip 1 not_tcp 2 malformed 3 truncated 4 fragments 5 reassembled 6 frag_dropped 7 connections 2 evicted 0 timeouts 0 stray 8 gaps 2 gapbytes 120 bad_checksum 9 rst_ignored 10 status ok
EOF
}

@test "json: one object per record of the golden stream" {
	run -0 --separate-stderr tf-cat -j <"$GOLDEN"
	[ -z "$stderr" ]
	diff -u - <(printf '%s\n' "$output") <<'EOF'
{"kind":"header","program":"tf-reassemble 0.1.0","pcap":"libpcap version 1.10.3","linktype":1,"snaplen":262144,"tsresol":1000,"start":"2023-11-14T22:13:20.123456789Z","start_ns":1700000000123456789,"source":"file","sources":["a.pcap","b c.pcap"]}
{"kind":"annot","conn":0,"dir":255,"key":"reassemble.command","value":"tf-reassemble -r a.pcap -r 'b c.pcap'"}
{"kind":"open","conn":1,"ts":"2023-11-14T22:13:20.000001Z","ts_ns":1700000000000001000,"packet":1,"counter":0,"family":4,"src":"10.0.0.1","sport":1234,"dst":"10.0.0.2","dport":80,"vlan":[42,7],"smac":"00:11:22:33:44:55","dmac":"66:77:88:99:aa:bb","flags":["syn","mac"]}
{"kind":"data","conn":1,"dir":0,"offset":0,"ts":"2023-11-14T22:13:20.000100Z","ts_ns":1700000000000100000,"len":32,"data":"GET /café HTTP/1.1\r\nHost: x\r\n\r\n"}
{"kind":"annot","conn":1,"dir":0,"key":"split.path","value":"out/010.000.000.001.01234-010.000.000.002.00080--7"}
{"kind":"data","conn":1,"dir":1,"offset":0,"ts":"2023-11-14T22:13:20.000200Z","ts_ns":1700000000000200000,"len":39,"data":"HTTP/1.1 200 OK\r\nContent-Length: 27\r\n\r\n"}
{"kind":"gap","conn":1,"dir":1,"offset":39,"len":20,"ts":"2023-11-14T22:13:20.000300Z","ts_ns":1700000000000300000,"cause":"lost"}
{"kind":"data","conn":1,"dir":1,"offset":59,"ts":"2023-11-14T22:13:20.000300001Z","ts_ns":1700000000000300001,"len":7,"data_hex":"00ff7f80225c09"}
{"kind":"annot","conn":1,"dir":1,"key":"http.note","value":"tab\there \"quoted\""}
{"kind":"open","conn":2,"ts":"2023-11-14T22:13:21.000000Z","ts_ns":1700000001000000000,"packet":9,"counter":1,"family":6,"src":"2001:db8::1","sport":40000,"dst":"2001:db8::2","dport":443,"vlan":[],"flags":["midstream"]}
{"kind":99,"len":11}
{"kind":"data","conn":2,"dir":1,"offset":0,"ts":"2023-11-14T22:13:21.500000Z","ts_ns":1700000001500000000,"len":3,"data":"\u0016\u0003\u0001"}
{"kind":"gap","conn":2,"dir":0,"offset":0,"len":100,"ts":"2023-11-14T22:13:21.600000Z","ts_ns":1700000001600000000,"cause":"snaplen"}
{"kind":"close","conn":1,"ts":"2023-11-14T22:13:20.000400Z","ts_ns":1700000000000400000,"cause":"fin","dirs":[{"packets":4,"bytes":32,"wirelen":400,"caplen":380,"gaps":0,"gapbytes":0,"retrans":0,"ooo":0,"overlapdiff":0,"violations":0,"first":"2023-11-14T22:13:20.000001Z","first_ns":1700000000000001000,"last":"2023-11-14T22:13:20.000400Z","last_ns":1700000000000400000,"flags":["syn","fin"],"isn":1000},{"packets":5,"bytes":46,"wirelen":500,"caplen":480,"gaps":1,"gapbytes":20,"retrans":2,"ooo":1,"overlapdiff":1,"violations":1,"first":"2023-11-14T22:13:20.000150Z","first_ns":1700000000000150000,"last":"2023-11-14T22:13:20.000390Z","last_ns":1700000000000390000,"flags":["syn","fin"],"isn":5000}]}
{"kind":"close","conn":2,"ts":"2023-11-14T22:13:22.000000Z","ts_ns":1700000002000000000,"cause":"end","dirs":[{"packets":1,"bytes":0,"wirelen":0,"caplen":0,"gaps":1,"gapbytes":100,"retrans":0,"ooo":0,"overlapdiff":0,"violations":0,"first":"2023-11-14T22:13:21.000000Z","first_ns":1700000001000000000,"last":"2023-11-14T22:13:21.000000Z","last_ns":1700000001000000000,"flags":[],"isn":77},{"packets":1,"bytes":3,"wirelen":0,"caplen":0,"gaps":0,"gapbytes":0,"retrans":0,"ooo":0,"overlapdiff":0,"violations":0,"first":"2023-11-14T22:13:21.500000Z","first_ns":1700000001500000000,"last":"2023-11-14T22:13:21.500000Z","last_ns":1700000001500000000,"flags":[],"isn":88}]}
{"kind":"end","packets":12,"bytes":1400,"not_ip":1,"not_tcp":2,"malformed":3,"truncated":4,"fragments":5,"reassembled":6,"frag_dropped":7,"connections":2,"evicted":0,"timeouts":0,"stray":8,"gaps":2,"gapbytes":120,"bad_checksum":9,"rst_ignored":10,"status":[]}
EOF
}

@test "text: every byte value escaped as documented" {
	hex=$(for i in $(seq 0 255); do printf '%02x' "$i"; done)
	printf 'data conn=3 dir=1 off=7 hex=%s\n%s\n' "$hex" "$END" | mk all
	want=
	for i in $(seq 0 255); do
		case $i in
		9) want+='\t' ;;
		10) want+='\n' ;;
		13) want+='\r' ;;
		34) want+='\"' ;;
		92) want+='\\' ;;
		*)
			if [ "$i" -ge 32 ] && [ "$i" -lt 127 ]; then
				want+=$(printf "\\$(printf %03o "$i")")
			else
				want+=$(printf '\\x%02x' "$i")
			fi
			;;
		esac
	done
	run -0 tf-cat <"$T/all.tfs"
	[ "${lines[0]}" = "data 3 < 7+256 \"$want\"" ]
}

@test "-x shows data as hex, -n cuts it with ..." {
	run -0 tf-cat -x <"$GOLDEN"
	[ "${lines[3]}" = "data 1 > 0+32 474554202f636166c3a920485454502f312e310d0a486f73743a20780d0a0d0a" ]
	[ "${lines[7]}" = "data 1 < 59+7 00ff7f80225c09" ]
	run -0 tf-cat -n 4 <"$GOLDEN"
	[ "${lines[3]}" = 'data 1 > 0+32 "GET "...' ]
	[ "${lines[11]}" = 'data 2 < 0+3 "\x16\x03\x01"' ]
	run -0 tf-cat -x -n 4 <"$GOLDEN"
	[ "${lines[7]}" = "data 1 < 59+7 00ff7f80..." ]
	[ "${lines[11]}" = "data 2 < 0+3 160301" ]
	run -0 tf-cat -n 0 <"$GOLDEN"
	[ "${lines[3]}" = 'data 1 > 0+32 ""...' ]
	run -0 tf-cat -n 3 <"$GOLDEN"
	[ "${lines[11]}" = 'data 2 < 0+3 "\x16\x03\x01"' ]
	# Other records are never cut.
	[ "${lines[4]}" = 'annot 1 > split.path "out/010.000.000.001.01234-010.000.000.002.00080--7"' ]
	run -0 tf-cat -n 1k <"$GOLDEN"
	[ "${lines[3]}" = 'data 1 > 0+32 "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n"' ]
}

@test "json: data is text when it is UTF-8, else hex; both lossless" {
	printf '%s\n' 'data text="caf\xc3\xa9 \xf0\x9f\x98\x80"' \
	    'data text="\x00\x01\x08\x0c\x1f\x7f\"\\/\t\r\n"' \
	    'data text="\xc0\x80"' 'data text="\xed\xa0\x80"' \
	    'data text="\xf4\x90\x80\x80"' 'data text="\xe0\x80\x80"' \
	    'data text="ab\xc3"' 'data text="\xff"' 'data' "$END" | mk u
	run -0 tf-cat -j <"$T/u.tfs"
	[ "${lines[0]#*\"len\":}" = '10,"data":"café 😀"}' ]
	[ "${lines[1]#*\"len\":}" = '12,"data":"\u0000\u0001\u0008\u000c\u001f\u007f\"\\/\t\r\n"}' ]
	[ "${lines[2]#*\"len\":}" = '2,"data_hex":"c080"}' ]
	[ "${lines[3]#*\"len\":}" = '3,"data_hex":"eda080"}' ]
	[ "${lines[4]#*\"len\":}" = '4,"data_hex":"f4908080"}' ]
	[ "${lines[5]#*\"len\":}" = '3,"data_hex":"e08080"}' ]
	[ "${lines[6]#*\"len\":}" = '3,"data_hex":"6162c3"}' ]
	[ "${lines[7]#*\"len\":}" = '1,"data_hex":"ff"}' ]
	[ "${lines[8]#*\"len\":}" = '0,"data":""}' ]
	run -0 tf-cat -j -x <"$T/u.tfs"
	[ "${lines[0]#*\"len\":}" = '10,"data_hex":"636166c3a920f09f9880"}' ]
}

@test "json: -n cuts data, never inside a UTF-8 character, and says so" {
	printf '%s\n' 'data text="caf\xc3\xa9!"' 'data text="ab\xffcd"' "$END" |
	    mk n
	run -0 tf-cat -j -n 4 <"$T/n.tfs"
	[ "${lines[0]#*\"len\":}" = '6,"data":"caf","shown":3}' ]
	[ "${lines[1]#*\"len\":}" = '5,"data_hex":"6162ff63","shown":4}' ]
	run -0 tf-cat -j -n 5 <"$T/n.tfs"
	[ "${lines[0]#*\"len\":}" = '6,"data":"café","shown":5}' ]
	run -0 tf-cat -j -n 6 <"$T/n.tfs"
	[ "${lines[0]#*\"len\":}" = '6,"data":"café!"}' ]
}

@test "json: jq parses every line, and the data comes back byte for byte" {
	need_jq
	tf-cat -j <"$GOLDEN" >"$T/j"
	jq -e . <"$T/j" >/dev/null
	[ "$(jq -s length <"$T/j")" -eq 16 ]
	[ "$(jq -r 'select(.kind == "gap") | "\(.conn) \(.dir) \(.offset) \(.len) \(.cause)"' <"$T/j")" = "1 1 39 20 lost
2 0 0 100 snaplen" ]
	[ "$(jq -r 'select(.kind == "close") | .dirs[1].bytes' <"$T/j")" = "46
3" ]
	# Every byte value, as text and as hex.
	hex=$(for i in $(seq 0 127); do printf '%02x' "$i"; done)
	printf 'data hex=%s\ndata hex=%sff\n%s\n' "$hex" "$hex" "$END" | mk b
	tf-cat -j <"$T/b.tfs" >"$T/bj"
	jq -e . <"$T/bj" >/dev/null
	[ "$(sed -n 1p "$T/bj" | jq -j .data | od -v -A n -t x1 | tr -d ' \n')" = "$hex" ]
	[ "$(sed -n 2p "$T/bj" | jq -r .data_hex)" = "${hex}ff" ]
}

@test "unknown enumeration values and flag bits are shown as numbers" {
	printf '%s\n' 'header srckind=9 source="\xff"' \
	    'open conn=1 ts=-1.5 flags=0xa0' \
	    'gap conn=1 cause=9 len=1 ts=0.000000001' \
	    'close conn=1 cause=77 flags0=9 flags1=0x100' \
	    'annot conn=1 dir=1 key="a b" value="\xff"' \
	    'end status=15' | mk e
	run -0 --separate-stderr tf-cat <"$T/e.tfs"
	[ "${lines[0]}" = 'header program "" pcap "" linktype 1 snaplen 262144 tsresol 1000 start 1970-01-01T00:00:00.000000Z source 9 "\xff"' ]
	[ "${lines[1]}" = 'open 1 1969-12-31T23:59:58.500000Z 0.0.0.0:0 > 0.0.0.0:0 counter 0 packet 0 0x20,0x80' ]
	[ "${lines[2]}" = 'gap 1 > 0+1 cause 9' ]
	[ "${lines[3]}" = 'close 1 1970-01-01T00:00:00.000000Z cause 77 > packets 0 bytes 0 syn,0x8 < packets 0 bytes 0 0x100' ]
	[ "${lines[4]}" = 'annot 1 < "a b" "\xff"' ]
	[ "${lines[5]##* status }" = 'cut,error,interrupted,0x8' ]
	run -0 --separate-stderr tf-cat -j <"$T/e.tfs"
	[ "${lines[0]#*\"start_ns\":0,}" = '"source":9,"sources_hex":["ff"]}' ]
	[ "${lines[1]#*\"ts\":}" = '"1969-12-31T23:59:58.500000Z","ts_ns":-1500000000,"packet":0,"counter":0,"family":4,"src":"0.0.0.0","sport":0,"dst":"0.0.0.0","dport":0,"vlan":[],"flags":["0x20","0x80"]}' ]
	[ "${lines[2]#*\"ts\":}" = '"1970-01-01T00:00:00.000000001Z","ts_ns":1,"cause":9}' ]
	[ "${lines[3]:0:89}" = '{"kind":"close","conn":1,"ts":"1970-01-01T00:00:00.000000Z","ts_ns":0,"cause":77,"dirs":[' ]
	[[ "${lines[3]}" == *'"first":null,"first_ns":0,"last":null,"last_ns":0,"flags":["syn","0x8"]'* ]]
	[ "${lines[4]}" = '{"kind":"annot","conn":1,"dir":1,"key":"a b","value_hex":"ff"}' ]
	[ "${lines[5]#*\"gapbytes\":0,}" = '"bad_checksum":0,"rst_ignored":0,"status":["cut","error","interrupted","0x8"]}' ]
}

@test "everything before an error is printed, then the error" {
	head -c 800 "$GOLDEN" >"$T/cut"
	run -1 --separate-stderr tf-cat <"$T/cut"
	[ "${#lines[@]}" -eq 11 ]
	[ "${lines[10]}" = "kind 99 len 11" ]
	[ "$stderr" = "tf-cat: stream cut short inside the record at byte 791" ]
	run -1 --separate-stderr tf-cat -j <"$T/cut"
	[ "${#lines[@]}" -eq 11 ]
	head -c 1394 "$GOLDEN" >"$T/cut"
	run -1 --separate-stderr tf-cat <"$T/cut"
	[ "${#lines[@]}" -eq 15 ]
	[ "$stderr" = "tf-cat: stream ended at byte 1394 without an end-of-stream record" ]
}

@test "usage errors exit 2 with the usage line" {
	usage="usage: tf-cat [-achjsVx] [-f conn] [-n bytes]"
	run -2 --separate-stderr tf-cat -z <"$GOLDEN"
	[ -z "$output" ]
	[ "${stderr##*$'\n'}" = "$usage" ]
	run -2 --separate-stderr tf-cat "$GOLDEN"
	[ "$stderr" = "$usage" ]
	run -2 --separate-stderr tf-cat -n <"$GOLDEN"
	[ "${stderr##*$'\n'}" = "$usage" ]
	run -2 --separate-stderr tf-cat -n abc <"$GOLDEN"
	[ -z "$output" ]
	[ "$stderr" = "tf-cat: option -n: 'abc' is not a number from 0 to 1048576" ]
	run -2 --separate-stderr tf-cat -n 1025k <"$GOLDEN"
	[ "$stderr" = "tf-cat: option -n: '1025k' is not a number from 0 to 1048576" ]
	run -2 --separate-stderr tf-cat -n -1 <"$GOLDEN"
	run -0 tf-cat -n 1M <"$GOLDEN"
}

@test "tf-cat | head -1 ends quietly" {
	printf 'data conn=1 fill=20000000\n%s\n' "$END" | mk big
	run bash -c 'tf-cat <"$1" 2>"$2" | head -1 | head -c 20; \
	    echo " ${PIPESTATUS[0]}"' _ "$T/big.tfs" "$T/err"
	[ "$output" = 'data 1 > 0+1048536 " 141' ]
	[ ! -s "$T/err" ]
}

@test "a write error is reported: exit 1" {
	[ -w /dev/full ] || skip "no /dev/full"
	run -1 --separate-stderr bash -c 'tf-cat <"$1" >/dev/full' _ "$GOLDEN"
	[ "$stderr" = "tf-cat: error writing standard output: No space left on device" ]
	printf 'data conn=1 fill=3000000\n%s\n' "$END" | mk big
	run -1 --separate-stderr bash -c 'tf-cat -j <"$1" >/dev/full' _ \
	    "$T/big.tfs"
	[ "$stderr" = "tf-cat: error writing standard output: No space left on device" ]
}

@test "output is flushed before tf-cat waits for more input" {
	printf 'open conn=1\n' | mk a
	printf 'nopreamble\n%s\n' "$END" | mk b
	mkfifo "$T/in"
	# fd 3 is bats's own: keep it out of the background job.
	tf-cat <"$T/in" >"$T/out" 2>"$T/err" 3>&- &
	pid=$!
	exec 7>"$T/in"
	cat "$T/a.tfs" >&7
	for i in $(seq 50); do
		[ -s "$T/out" ] && break
		sleep 0.1
	done
	got=$(cat "$T/out")
	cat "$T/b.tfs" >&7
	exec 7>&-
	wait $pid
	[ "$got" = "open 1 1970-01-01T00:00:00.000000Z 0.0.0.0:0 > 0.0.0.0:0 counter 0 packet 0" ]
	[ "$(wc -l <"$T/out")" -eq 2 ]
	[ ! -s "$T/err" ]
}
