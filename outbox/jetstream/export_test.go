package jetstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/postie/postie/outbox"
)

// PublishOnly does the first half of Enqueue (the ticket) and stops, as
// an enqueuer that dies before writing the entry's record.
func PublishOnly(ctx context.Context, s *Store, e *outbox.Entry, body []byte) error {
	sum := sha256.Sum256(body)
	e.Size, e.Digest = int64(len(body)), hex.EncodeToString(sum[:])
	for i := range e.Recipients {
		e.Recipients[i].State = outbox.Pending
	}
	m, err := newTicketMsg(s.o.workSubject(campaignToken(e.Campaign)), e, bodyInline, body)
	if err != nil {
		return err
	}
	msgID := string(e.ID)
	if e.Key != "" {
		msgID = "key:" + keyIndexKey(e.Key)
	}
	_, err = s.js.PublishMsg(ctx, m, jetstream.WithMsgID(msgID))
	return err
}
