package discord

import "github.com/briefbot/briefbot/bot"

// PostBodies returns the create-message request bodies (POST /channels/{id}/messages) Post sends
// for a delivery, in order: the briefing rendered with the times it writes out in d.Location
// (saying when it was scheduled when d.Late), mentions disallowed (allowed_mentions
// {"parse":[]}), and, when d.Key is set, each message's nonce made from the key and its index,
// with enforce_nonce, Discord's duplicate guard. Post gives a delivery without key (an on-demand
// briefing) a random one first; `briefbot brief --format discord` prints the bodies without a
// nonce.
func PostBodies(d bot.Delivery) []Message {
	msgs := Render(d.Briefing, RenderOptions{Location: d.Location, Late: d.Late, Scheduled: d.Scheduled})
	for i := range msgs {
		msgs[i].AllowedMentions = noMentions()
		if d.Key != "" {
			msgs[i].Nonce, msgs[i].EnforceNonce = nonceFor(d.Key, i), true
		}
	}
	return msgs
}
