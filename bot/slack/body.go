package slack

import (
	"github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
)

// PostBodies returns the chat.postMessage request bodies Post sends for a delivery, in order:
// the briefing rendered for d.ChannelID with the times of its fallback text in d.Location
// (threaded when d.Thread; saying when it was scheduled when d.Late), each message carrying the
// delivery key as metadata when d.Key is set. Post sends them as they are, except that in a
// threaded delivery it sets the thread_ts of each reply (InThread) to the ts of the first
// message. `briefbot brief --format slack` prints them.
func PostBodies(d bot.Delivery) []Message {
	msgs := Render(d.Briefing, RenderOptions{Channel: d.ChannelID, Location: d.Location, Threaded: d.Thread,
		Late: d.Late, Scheduled: d.Scheduled})
	if d.Key != "" {
		for i := range msgs {
			msgs[i].Metadata = &slack.SlackMetadata{EventType: MetadataEventType,
				EventPayload: map[string]any{"key": d.Key, "part": i, "parts": len(msgs)}}
		}
	}
	return msgs
}
