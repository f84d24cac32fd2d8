# Reads each message named on the command line with Python's email
# package (an independent MIME implementation) and prints, one JSON line
# each, what a reader gets from it: the decoded address and subject
# fields, every leaf part's type, file name and decoded content (SHA-256),
# and the defects it noticed. Raw 8-bit header octets and unknown-8bit
# words both come back as the same octets.
import email, email.policy, hashlib, json, sys

def norm(s):
    if s is None:
        return None
    s = " ".join(str(s).split())
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")

def parts(path):
    msg = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
    out = {"headers": {}, "parts": [], "defects": []}
    for k in ("subject", "from", "to", "cc", "reply-to"):
        if msg[k] is not None:
            out["headers"][k] = norm(msg[k])
    for part in msg.walk():
        out["defects"] += [type(d).__name__ for d in part.defects]
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload(0)  # walk() goes on into it
            out["parts"].append({"type": "message/rfc822", "subject": norm(inner["subject"]), "from": norm(inner["from"])})
            continue
        if part.is_multipart():
            out["parts"].append({"type": part.get_content_type()})
            continue
        payload = part.get_payload(decode=True) or b""
        out["parts"].append({"type": part.get_content_type(), "filename": norm(part.get_filename()),
                             "sha256": hashlib.sha256(payload).hexdigest()})
    return json.dumps(out, ensure_ascii=True, sort_keys=True)

for path in sys.argv[1:]:
    print(parts(path))
