# Parses a message with Python's email package (an independent MIME
# implementation) and prints what a recipient would see, as JSON.
import email, email.policy, hashlib, json, sys
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
out = {"subject": str(msg["subject"]), "from": str(msg["from"]), "to": str(msg["to"]),
       "bcc": msg["bcc"] is not None, "parts": [], "defects": [str(d) for d in msg.defects]}
for part in msg.walk():
    if part.is_multipart():
        out["parts"].append({"type": part.get_content_type()})
        continue
    payload = part.get_payload(decode=True)
    out["parts"].append({"type": part.get_content_type(), "filename": part.get_filename(),
                         "sha256": hashlib.sha256(payload).hexdigest(),
                         "text": payload.decode("utf-8") if part.get_content_maintype() == "text" else None,
                         "defects": [str(d) for d in part.defects]})
print(json.dumps(out, ensure_ascii=False))
