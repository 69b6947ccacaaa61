#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""mkpages.py DIR NAME ROWS NITEMS SEED BLOBSIZE [css]: the files nginx
serves in mknginx.sh and mktls.sh, written to DIR, the same bytes at
every run:

  page.html  HTML titled "NAME test", a table of ROWS rows that differ
             by their numbers (with css: linking style.css)
  data.json  {"test": NAME with "nginx" after its first word,
             "items": NITEMS objects}
  blob.bin   BLOBSIZE bytes: SHA-256 in counter mode, block i =
             sha256("SEED:blob.bin:<i>")
  style.css  with css only: 80 rules
"""
import hashlib
import json
import os
import sys


def main():
    d, name, nrows, nitems, seed, size = sys.argv[1:7]
    css = sys.argv[7:] == ["css"]
    nrows, nitems, size = int(nrows), int(nitems), int(size)

    def w(fname, data):
        with open(os.path.join(d, fname), "wb") as f:
            f.write(data)

    rows = ['<tr id="r%03d"><td>%d</td><td>item %d of the %s test</td>'
            '<td>%d</td></tr>\n' % (i, i, i, name, (i * 7919) % 10007)
            for i in range(nrows)]
    link = '<link rel="stylesheet" href="style.css">' if css else ""
    w("page.html", ("<!DOCTYPE html>\n<html><head><title>%s test</title>"
                    "%s</head>\n<body><table>\n" % (name, link)
                    + "".join(rows) + "</table></body></html>\n").encode())
    # "tf-http gzip" -> "tf-http nginx gzip", "tf-tls" -> "tf-tls nginx"
    words = name.split(" ")
    test = " ".join(words[:1] + ["nginx"] + words[1:])
    w("data.json", (json.dumps({"test": test, "items": [
        {"n": i, "sq": i * i, "name": "item-%d" % i} for i in range(nitems)]},
        indent=1) + "\n").encode())
    if css:
        w("style.css", "".join(
            ".c%d { color: #%06x; margin: %dpx %dpx; }\n"
            % (i, (i * 40503) & 0xffffff, i % 17, i % 5)
            for i in range(80)).encode())
    out = bytearray()
    i = 0
    while len(out) < size:
        out += hashlib.sha256(b"%s:blob.bin:%d" % (seed.encode(), i)).digest()
        i += 1
    w("blob.bin", bytes(out[:size]))


if __name__ == "__main__":
    main()
