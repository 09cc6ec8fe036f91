package storetest

import (
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefing"
)

// The fixture articles were written for these tests; people and outlets are invented. Each
// says, beside it, which searches must find it.

// t0 is the fixtures' reference time; the suite's clock starts here.
var t0 = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// wireStory is a wire story: found by korea, pyongyang, "north korea", military, negotiating
// (stemmed from negotiations), speaker:Han, speaker:Choe. Not by sport, missile, football.
const wireStory = `Seoul, March 10 - North Korea and South Korea agreed on Monday to resume military talks along their shared border next month, the first such meeting in almost three years, officials on both sides said.

The two delegations met for six hours in the border village, where they settled the agenda and the rank of the officers who will attend. The talks will cover the hotline between the two armies, the clearing of old mines near the demarcation line and the return of fishing boats that drift across the sea boundary in winter.

"We have chosen to talk rather than to shout across the fence," said Han Seo-yeon, the South's unification minister, after the meeting. "Nobody should expect miracles in a month, but the channel is open again and we intend to keep it open."

Choe Myong-ho, who led the delegation from Pyongyang, struck a more guarded tone. "Our side came in good faith and we will judge the South by its actions at sea, not by its words in the capital," he told reporters before crossing back.

Diplomats in the region welcomed the agreement. Previous negotiations collapsed after a series of incidents at sea, and both governments had since cut the hotline that officers used to report drifting vessels and stray aircraft.

Analysts said the choice of military officers rather than ministers for the first round suggested both sides wanted quick, practical steps. A second round, on family reunions, could follow in the summer if the first goes well.`

// editedCopy is another outlet's lightly edited republication of wireStory: another headline,
// its own dateline, one sentence rewritten, and a byline. It must join wireStory's story.
func editedCopy() string {
	s := strings.Replace(wireStory, "Seoul, March 10 - ", "SEOUL (Daily Post) - ", 1)
	s = strings.Replace(s, "Diplomats in the region welcomed the agreement.", "Governments across the region were quick to welcome the deal.", 1)
	return s + "\n\nReporting by Daily Post staff; editing by the foreign desk."
}

// missileStory is about North Korea too, but another event: it must NOT join wireStory's
// story. Found by korea, pyongyang, "north korea", missile, japan, speaker:Mori.
const missileStory = `Tokyo, March 9 - North Korea fired a ballistic missile into the sea east of the peninsula on Sunday morning, Japan's defence ministry said, the third launch this year.

The missile flew for about twenty minutes and came down outside Japan's exclusive economic zone. No damage to ships or aircraft was reported, and coast guard patrols were told to watch for falling debris.

"This launch is a clear violation of the resolutions of the Security Council, and we have protested through our embassy in Beijing," Kenji Mori, the deputy defence minister, told a news conference in Tokyo.

State media in Pyongyang said later that the test had checked a new engine and had posed no threat to neighbouring countries. It published photographs of the launch taken from a hillside near the coast.

Officials in Washington and Seoul said they were studying the flight data. The launch came days before a scheduled meeting of finance ministers and after weeks of tension over fishing rights in the waters between the two countries.

Defence analysts noted that the missile appeared to use solid fuel, which allows a launch to be prepared much faster than older liquid-fuelled designs and makes it harder to detect in advance.`

// footballStory mentions South Korea and Japan, and sport: found by korea, japan, football,
// sport, speaker:Lee; excluded by -sport. Not by "north korea".
const footballStory = `Doha, March 8 - South Korea beat Japan two goals to one on Saturday to reach the final of the regional football championship, the biggest night for the country's sport in a decade.

The winning goal came deep in stoppage time, when the substitute striker turned inside two defenders and shot low past the goalkeeper. Thousands of fans who had travelled to the stadium sang until long after the final whistle.

"I told the players at half time that the match was not lost, that we had forty-five minutes to write a better story," said Lee Dong-hyun, the head coach. "They believed it before I did."

Japan had led for most of the evening after a header from a corner in the first half. Their coach blamed tired legs and a crowded calendar for the late collapse.

The final is on Wednesday against the winner of the second semi-final. Tickets sold out within an hour of the whistle, the organisers said.`

// orlovStory, from tass, quotes the (invented) foreign minister Pavel Orlov: found by
// pyongyang, talks, speaker:Orlov, speaker:"Pavel Orlov", source:tass. Not by korea (it says
// "Korean", another word), not by military or missile.
const orlovStory = `Moscow, March 10 - Russia is ready to host talks on security on the Korean peninsula if both capitals ask for them, Foreign Minister Pavel Orlov said on Monday.

Speaking after a meeting with his counterpart from Mongolia, the minister said that dialogue was the only path to lasting calm. "We do not want to impose anything on anyone, we want to help people talk to each other," Orlov stressed.

He added that his ministry had kept its contacts with Pyongyang and with Seoul throughout the winter. "Our door has been open all this time and it will remain open," he said.

The minister also discussed trade, a new rail link to the Pacific coast and the schedule of consultations between the two foreign ministries, according to a statement released in the evening.`

// bakeryStory has nothing to do with the others: found by bread*, bak*, -korea -pyongyang,
// speaker:Quill, and by the stems of "run" and "interest rates" (running, rate, "interest rate").
const bakeryStory = `Little Wenham, March 7 - A village bakery that has been run by the same family for four generations has won the national prize for its sourdough bread, beating more than three hundred entries.

Martha Quill, who runs the shop with her two sons, said the secret was patience rather than any special flour. "We let the dough rest overnight in the cold room and we never rush it, whatever the queue outside looks like," she said.

The judges praised the crust and the open texture of the loaf and said it tasted of the place it was baked. The bakery will now supply bread for the prize dinner in the autumn.

Neighbours gathered outside the shop on Saturday morning to congratulate the family, and the first batch of the day was sold out before nine o'clock. The family has kept its prices
steady for two years, while interest rates and the cost of flour climbed.`

// fixture returns an article for the suite, with its quotes found in its text.
func fixture(source, url, headline, text string, published time.Time, quotes ...quoteSpec) *briefing.Article {
	a := &briefing.Article{Source: source, URL: url, Headline: headline, Text: text, Published: published}
	for _, q := range quotes {
		start := strings.Index(text, q.text)
		if start < 0 {
			panic("storetest: fixture quote not in its text: " + q.text)
		}
		a.Quotes = append(a.Quotes, briefing.Quote{Text: q.text, Start: start, End: start + len(q.text),
			Speaker: q.speaker, SpeakerTitle: q.title, Cue: q.cue, Key: q.key, Score: q.score})
	}
	return a
}

type quoteSpec struct {
	text, speaker, title, cue string
	key                       bool
	score                     float64
}

// The fixture set, by key.
func fixtures() map[string]*briefing.Article {
	return map[string]*briefing.Article{
		"wire": fixture("Wire", "https://wire.example/2025/03/10/korea-military-talks", "Koreas agree to resume military talks",
			wireStory, t0.Add(-2*time.Hour),
			quoteSpec{text: "We have chosen to talk rather than to shout across the fence,", speaker: "Han Seo-yeon", title: "Unification Minister", cue: "said", key: true, score: 0.9},
			quoteSpec{text: "Nobody should expect miracles in a month, but the channel is open again and we intend to keep it open.", speaker: "Han Seo-yeon", title: "Unification Minister", cue: "said", score: 0.7},
			quoteSpec{text: "Our side came in good faith and we will judge the South by its actions at sea, not by its words in the capital,", speaker: "Choe Myong-ho", cue: "told", key: true, score: 0.8}),
		"edited": fixture("Daily Post", "https://dailypost.example/world/koreas-talks", "Koreas to restart military talks next month",
			editedCopy(), t0.Add(-1*time.Hour),
			quoteSpec{text: "We have chosen to talk rather than to shout across the fence,", speaker: "Han Seo-yeon", title: "Unification Minister", cue: "said", key: true, score: 0.9}),
		"missile": fixture("Harbour Times", "https://harbourtimes.example/missile-launch", "North Korea fires missile into the sea",
			missileStory, t0.Add(-26*time.Hour),
			quoteSpec{text: "This launch is a clear violation of the resolutions of the Security Council, and we have protested through our embassy in Beijing,", speaker: "Kenji Mori", title: "Deputy Defence Minister", cue: "told", key: true, score: 0.85}),
		"football": fixture("Sports Desk", "https://sportsdesk.example/football/final", "South Korea beat Japan to reach the final",
			footballStory, t0.Add(-52*time.Hour),
			quoteSpec{text: "I told the players at half time that the match was not lost, that we had forty-five minutes to write a better story,", speaker: "Lee Dong-hyun", title: "head coach", cue: "said", key: true, score: 0.6}),
		"orlov": fixture("tass", "https://tass.example/orlov-korean-peninsula", "Orlov: Moscow ready to host talks on the Korean peninsula",
			orlovStory, t0.Add(-3*time.Hour),
			quoteSpec{text: "We do not want to impose anything on anyone, we want to help people talk to each other,", speaker: "Pavel Orlov", title: "Foreign Minister", cue: "stressed", key: true, score: 0.8},
			quoteSpec{text: "Our door has been open all this time and it will remain open,", speaker: "Pavel Orlov", title: "Foreign Minister", cue: "said", score: 0.5}),
		"bakery": fixture("Village Voice", "https://villagevoice.example/bakery-prize", "Family bakery wins national bread prize",
			bakeryStory, t0.Add(-74*time.Hour),
			quoteSpec{text: "We let the dough rest overnight in the cold room and we never rush it, whatever the queue outside looks like,", speaker: "Martha Quill", cue: "said", key: true, score: 0.7}),
	}
}
