package briefing

// The engine's word lists. They hold general English: speech verbs, role and organisation nouns,
// function words, honorifics and common given names. None is fitted to any one article. words.go
// builds them, once, into the read-only lexicon table each word token is looked up in.

// cueVerbWords are the speech verbs, each group (between dots) the forms of one verb.
const cueVerbWords = `say says said saying · tell tells told telling · add adds added adding
	stress stresses stressed stressing · note notes noted noting
	explain explains explained explaining · pledge pledges pledged pledging
	warn warns warned warning · point points pointed pointing · insist insists insisted insisting
	argue argues argued arguing · claim claims claimed claiming · state states stated stating
	declare declares declared declaring · announce announces announced announcing
	assert asserts asserted asserting · remark remarks remarked remarking
	observe observes observed observing · comment comments commented commenting
	reply replies replied replying · respond responds responded responding
	answer answers answered answering · ask asks asked asking · write writes wrote written writing
	tweet tweets tweeted tweeting · post posts posted posting · recall recalls recalled recalling
	acknowledge acknowledges acknowledged acknowledging · admit admits admitted admitting
	concede concedes conceded conceding · confirm confirms confirmed confirming
	deny denies denied denying · suggest suggests suggested suggesting
	predict predicts predicted predicting · promise promises promised promising
	vow vows vowed vowing · urge urges urged urging · caution cautions cautioned cautioning
	emphasise emphasises emphasised emphasising · emphasize emphasizes emphasized emphasizing
	underline underlines underlined underlining · underscore underscores underscored underscoring
	continue continues continued continuing · conclude concludes concluded concluding
	complain complains complained complaining · joke jokes joked joking
	quip quips quipped quipping · shout shouts shouted shouting · scream screams screamed screaming
	cry cries cried crying · whisper whispers whispered whispering
	mutter mutters muttered muttering · exclaim exclaims exclaimed exclaiming
	boast boasts boasted boasting · lament laments lamented lamenting
	mention mentions mentioned mentioning · maintain maintains maintained maintaining
	contend contends contended contending · reckon reckons reckoned reckoning
	agree agrees agreed agreeing · counter counters countered countering
	retort retorts retorted retorting · reason reasons reasoned reasoning
	estimate estimates estimated estimating · testify testifies testified testifying
	recount recounts recounted recounting · report reports reported reporting
	reveal reveals revealed revealing · disclose discloses disclosed disclosing
	allege alleges alleged alleging · charge charges charged charging
	demand demands demanded demanding · plead pleads pleaded pleading
	repeat repeats repeated repeating · reiterate reiterates reiterated reiterating
	assure assures assured assuring · threaten threatens threatened threatening
	advise advises advised advising · proclaim proclaims proclaimed proclaiming
	wonder wonders wondered wondering · muse muses mused musing · gripe gripes griped griping
	grumble grumbles grumbled grumbling · fume fumes fumed fuming
	interject interjects interjected interjecting · offer offers offered offering
	indicate indicates indicated indicating · clarify clarifies clarified clarifying
	elaborate elaborates elaborated elaborating · highlight highlights highlighted highlighting
	inform informs informed informing · describe describes described describing
	call calls called calling · sigh sighs sighed sighing · laugh laughs laughed laughing
	snap snaps snapped snapping · begin begins began beginning · go goes went
	recommend recommends recommended recommending · concur concurs concurred concurring
	acknowledge · chime chimes chimed chiming · brag brags bragged bragging
	beg begs begged begging · yell yells yelled yelling · thunder thunders thundered thundering
	blast blasts blasted blasting · pronounce pronounces pronounced pronouncing
	summarise summarises summarised summarising · summarize summarizes summarized summarizing
	speculate speculates speculated speculating · surmise surmises surmised surmising
	posit posits posited positing · hint hints hinted hinting
	signal signals signalled signaled signalling signaling · affirm affirms affirmed affirming
	stipulate stipulates stipulated stipulating · specify specifies specified specifying
	read reads · text texts texted texting · email emails emailed emailing
	quote quotes quoted quoting · instruct instructs instructed instructing
	order orders ordered ordering · volunteer volunteers volunteered volunteering
	object objects objected objecting · protest protests protested protesting
	accuse accuses accused accusing · criticise criticises criticised criticising
	criticize criticizes criticized criticizing · praise praises praised praising
	tout touts touted touting · dismiss dismisses dismissed dismissing · acknowledge acknowledges
	assess assesses assessed assessing · insist · write · conclude · opine opines opined opining
	intone intones intoned intoning · breathe breathes breathed · smile smiles smiled smiling
	nod nods nodded nodding · shrug shrugs shrugged shrugging · rage rages raged raging
	sneer sneers sneered sneering · growl growls growled growling · purr purrs purred
	gush gushes gushed gushing · enthuse enthuses enthused enthusing · rave raves raved raving
	vent vents vented venting · lash lashes lashed · hit hits · slam slams slammed slamming
	echo echoes echoed echoing · scold scolds scolded scolding · sniff sniffs sniffed sniffing
	stammer stammers stammered stammering · stutter stutters stuttered stuttering
	chirp chirps chirped · snort snorts snorted · moan moans moaned moaning · groan groans groaned
	wail wails wailed · sob sobs sobbed · marvel marvels marvelled marveled marvelling
	remind reminds reminded reminding · reflect reflects reflected reflecting
	confess confesses confessed confessing · confide confides confided confiding
	venture ventures ventured · guess guesses guessed · figure figures figured · joke
	tease teases teased teasing · taunt taunts taunted · needle needles needled
	press presses pressed · challenge challenges challenged · demur demurs demurred
	rebut rebuts rebutted · recollect recollects recollected · relate relates related
	lecture lectures lectured · preach preaches preached · plead · pray prays prayed
	share shares shared sharing · explain · allow allows allowed · cite cites cited
	sing sings sang singing · chant chants chanted chanting`

// weakCueWords need the quotation right beside them to count as speech: "went", "began",
// "called", "read", "hit", "smiled" and the like mean other things elsewhere.
const weakCueWords = `go goes went begin begins began call calls called calling read reads hit hits
	smile smiles smiled smiling nod nods nodded nodding shrug shrugs shrugged shrugging laugh laughs laughed
	sigh sighs sighed breathe breathes breathed lash lashes lashed offer offers offered order orders ordered
	charge charges charged object objects objected protest protests protested continue continues continued
	post posts posted report reports reported quote quotes quoted describe describes described praise praises
	praised tout touts touted dismiss dismisses dismissed assess assesses assessed point points pointing
	agree agrees agreed share shares shared allow allows allowed figure figures figured press presses
	pressed challenge challenges challenged relate relates related cite cites cited guess guesses guessed
	counter counters countered reason reasons reasoned estimate estimates estimated
	volunteer volunteers volunteered signal signals signalled signaled hint hints hinted
	sing sings sang singing chant chants chanted chanting`

// auxiliaryWords stand between a subject and its speech verb: "Lavrov has said", "she would tell".
const auxiliaryWords = `has have had was is were are be been being will would could should can may
	might must did does do also later then once earlier previously recently repeatedly often has
	just already again further even still never not only reportedly allegedly once quickly`

// Honorifics stand before a name (Mr, Sen, Minister, Coach); some imply a gender.
const (
	maleHonorifics = `mr mister sir lord fr father brother king prince sheikh pope imam msgr congressman
	councilman bishop archbishop cardinal chairman spokesman emir`
	femaleHonorifics = `mrs ms miss dame lady madam sister queen princess congresswoman councilwoman chairwoman
	spokeswoman`
	neutralHonorifics = `dr prof professor rev reverend rabbi sen rep gov gen col lt capt sgt det insp supt cmdr adm
	hon pres senator judge justice coach mayor governor president chancellor premier ambassador
	commissioner inspector detective sergeant constable officer general colonel captain
	lieutenant major admiral chief secretary minister speaker representative councillor
	councilor alderman pastor mp mep ceo spokesperson director dean head leader founder chair
	deputy vice crown prosecutor attorney del`
)

// roleWords name what a person is: they make titles ("Foreign Minister", "chief executive") and
// descriptions ("the minister", "the Russian top diplomat").
const roleWords = `pollster minister president secretary chancellor premier spokesman spokeswoman spokesperson
	director chief executive officer chairman chairwoman chair ceo cfo coo cto coach manager governor
	senator mayor ambassador diplomat envoy leader head commissioner general colonel captain lieutenant
	sergeant detective inspector constable superintendent judge justice lawyer attorney prosecutor
	solicitor barrister professor analyst economist researcher scientist expert doctor physician surgeon
	nurse author founder co-founder owner partner editor reporter correspondent journalist adviser
	advisor aide official officials representative candidate nominee deputy assistant associate member
	mp mep congressman congresswoman councillor councilor councilman councilwoman alderman strategist
	consultant king queen prince princess pope bishop archbishop cardinal rabbi imam pastor priest
	reverend player striker midfielder defender goalkeeper goalie defenceman defenseman forward winger
	quarterback pitcher skipper boss star actor actress singer musician artist producer writer novelist
	poet student teacher principal resident neighbour neighbor witness victim mother father son daughter
	wife husband brother sister friend woman man boy girl chef proprietor entrepreneur businessman
	businesswoman activist campaigner organiser organizer volunteer worker employee farmer driver pilot
	trooper agent host presenter anchor commentator columnist historian psychologist psychiatrist
	lecturer dean provost rector principal administrator controller auditor treasurer registrar
	chairperson speaker whip organizer planner architect engineer designer developer investor banker
	trader broker dealer retailer shopkeeper landlord tenant owner operator commander admiral marshal
	sheriff deputy ranger firefighter paramedic spokespeople mediator negotiator envoy monk nun
	therapist counsellor counselor veteran soldier officer guard parent grandmother grandfather
	widow mum mom dad uncle aunt cousin nephew niece fan supporter voter protester demonstrator
	survivor defendant plaintiff suspect accused lawmaker legislator politician statesman stateswoman
	ruler dictator monarch emperor sultan emir sheikh chancellor cleric scholar academic fellow
	director-general secretary-general attorney-general prosecutor-general chief-executive pundit
	blogger critic reviewer curator manager footballer cricketer batsman bowler cyclist runner
	athlete swimmer boxer golfer champion rookie veteran teammate coach referee umpire official
	minister's regulator watchdog governor-general counsel comedian supervisor clerk comptroller
	assemblyman assemblywoman delegate trustee chaplain front-runner frontrunner`

// plainRoleWords are role nouns that say what a person is but not what they do: alone, they are
// no title ("Ruth Okon, a mother of three" has one, "Ann Lee, a woman who…" none).
const plainRoleWords = `man woman boy girl person friend resident neighbour neighbor mother father son
	daughter wife husband brother sister parent grandmother grandfather widow mum mom dad uncle aunt
	cousin nephew niece fan supporter voter witness victim survivor teammate`

// partyWords name a party or a political side. Before a person's name they are an affiliation,
// part of the title: "Republican Ann Lee" is Ann Lee, a Republican.
const partyWords = `democrat democratic republican gop tory conservative liberal labour labor
	libertarian socialist communist`

// femaleRoleWords and maleRoleWords are roles only women or only men hold.
const femaleRoleWords = `spokeswoman chairwoman congresswoman councilwoman businesswoman actress queen
	princess mother daughter wife sister woman girl widow mum mom aunt niece grandmother nun stateswoman`
const maleRoleWords = `spokesman chairman congressman councilman businessman actor king prince father son
	husband brother man boy dad uncle nephew grandfather monk statesman`

// titleModifierWords stand inside a title without being role nouns: "Foreign Minister", "top diplomat".
const titleModifierWords = `foreign prime deputy vice top chief senior former acting interim assistant
	associate executive general junior principal first second lead managing national regional local
	state federal provincial municipal city county district defence defense finance economy economic
	interior home justice health education trade energy environment transport labour labor culture
	foreign-affairs affairs public private international global european american russian british
	secret attorney solicitor supreme high crown shadow opposition majority minority house senate
	white party campaign press communications security intelligence police military army naval air
	fire border immigration emergency medical legal technical financial operating commercial
	marketing sales strategy research chief-of-staff staff assistant-secretary undersecretary under
	permanent parliamentary co head team club board company group news political communications
	development humanitarian nuclear climate foreign-policy ranking`

// orgWords end the names of organisations ("Foreign Ministry", "Saskatoon Police Service") and
// head descriptions of them ("the ministry said").
const orgWords = `ministry department government office agency council committee commission party
	police service services university college school institute association union federation league
	corporation corp inc ltd llc plc group company co bank fund foundation trust court board authority
	administration parliament congress senate assembly centre center club team network times post news
	journal herald telegraph guardian tribune press bureau army navy force forces command organisation
	organization society institution hospital airline airways airlines motors industries holdings
	partners capital securities coalition alliance campaign church kremlin pentagon cabinet embassy
	consulate secretariat directorate commission regulator watchdog firm business businesses
	manufacturer maker producer retailer supplier operator provider utility carrier channel station
	magazine newspaper paper website broadcaster studio label publisher cooperative co-op tribunal
	inquiry panel jury prosecutors police prosecution defence defense campaigners group's ministry's
	company's government's state states nations council's lab laboratory laboratories clinic
	brigade battalion regiment division unit squad task-force chamber exchange market markets
	commission's agency's office's bureau's federation's union's party's team's club's mission
	delegation`

// capStopWords are capitalised words that start sentences or titles but never names.
const capStopWords = `the a an this that these those he she it they we i you his her its their our my
	your but and or so if in on at for from with as by to of under after before during while when
	where what who whom whose why how there here some many most all both each every no not yes also
	however meanwhile although though despite since because once now then still yet according
	whatever whoever whenever wherever whichever neither either nor
	speaking asked asking answering besides further furthermore moreover instead indeed thus hence
	therefore otherwise unlike like about above across against along amid among around behind below
	beneath beside between beyond down inside into near off onto outside over past through
	throughout toward towards until unto up upon within without via per than such other another
	more less few several any none nobody nothing everyone everything someone something anyone
	anything only even just very much well too again ever never always often sometimes usually
	today tonight tomorrow yesterday last next earlier later recently currently previously
	finally first second third one two three four five six seven eight nine ten dear hello hi
	thanks thank please sorry oh ah ok okay mr mrs ms dr prof sir madam monday tuesday wednesday
	thursday friday saturday sunday perhaps maybe clearly obviously certainly surely fortunately
	unfortunately sadly luckily hopefully basically actually apparently eventually ultimately
	similarly likewise additionally overall nonetheless nevertheless regardless anyway instead
	again already almost alone together inside outside elsewhere anywhere somewhere nowhere
	worse better best worst bigger biggest january february march april may june july august september
	october november december jan feb mar apr jun jul aug sep sept oct nov dec photo image video
	watch read related click follow share subscribe update updated editor note its it's that's
	there's here's what's who's let let's don't can't won't isn't aren't wasn't weren't didn't
	doesn't haven't hasn't hadn't couldn't wouldn't shouldn't i'm i've i'd i'll we're we've we'll
	you're they're they've he's she's`

// abbreviationWords end with a period that does not end the sentence.
const abbreviationWords = `mr mrs ms dr st jr sr gen sen rep gov lt col capt sgt prof rev hon no vs etc
	inc corp ltd co jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k e.g i.e fig approx est
	dept univ assn bros ave blvd mt ft cmdr adm det insp supt pres msgr fr op cit al del`

// particleWords join the parts of a name: "Ludwig van Beethoven", "Charles de Gaulle".
const particleWords = `van von der den de da di du del della la le bin ibn al el dos das ter ten`

// pleasantryWords mark quotes with little news value ("We are delighted to welcome...").
const pleasantryWords = `thank thanks thanked grateful gratitude congratulate congratulations congrats
	pleased delighted happy honoured honored privilege welcome welcomed proud glad excited thrilled
	wonderful great amazing fantastic lovely awesome incredible blessed appreciate appreciated
	cheers hello hi goodbye enjoy enjoyed fun nice`

// stanceWords mark a speaker taking a position: obligation, necessity, hope, fear, refusal,
// warning.
const stanceWords = `should must need needs necessary essential vital crucial hope hopes hoping
	fear fears afraid warn warning danger dangerous risk risky threat threaten never refuse refuses
	reject unacceptable insist urge urgent sure certain convinced determined won't can't cannot
	shouldn't mustn't wrong ought responsible blame fault crisis serious impossible`

// emphaticCueWords are speech verbs by which a reporter marks a point the speaker pressed.
const emphaticCueWords = `stressed stresses warned warns insisted insists emphasised emphasized
	emphasises emphasizes underlined underlines underscored pledged pledges vowed vows urged urges
	declared declares demanded demands cautioned pointed out warned`

// stopWords are left out when comparing quotes with the headline and with each other.
const stopWords = `a an the and or but if while of in on at to for from with by as is are was were be been
	being it its this that these those he she they we i you his her their our my your him them us me
	not no so do does did has have had will would can could should may might must shall there here
	what which who whom whose when where why how all any both each few more most other some such
	only own same than too very just also into over under again further then once about after
	before between through during up down out off above below said says say told says according
	one two new now very really going get got think know want like well still even because`

// Common given names with their usual gender, for reading "he"/"she" back to a named person. A
// name missing here is no error: gender then comes from honorifics or from the pronouns the article
// uses for the person. A name in both lists is given to both.

const maleNames = `aaron abdul abdullah abraham adam adrian ahmed ahmad ajay alan albert alberto alex alexander
alexandre alexei alexey alfred ali alistair allan amir anand anders andre andrea andreas andrei andrew
andy angus anthony antoine anton antonio arjun arnold arthur ashok ashley austin barack barry bart ben
benjamin bernard bernie bill billy bob bobby boris brad bradley brandon brendan brett brian bruce bruno
bryan byron calvin cameron carl carlos carter chad charles charlie chris christian christopher chuck clark
claude clint colin connor conor craig curtis dale damian dan daniel danny darren dave david dean dennis
derek devin diego dmitry dmitri dominic don donald doug douglas drew duncan dustin dwayne dylan eddie edgar
eduardo edward edwin elijah elliot emmanuel enrique eric erik ernest ethan eugene evan fabio felix
fernando francis francisco frank franz fred frederick gabriel gareth gary gavin geoff geoffrey george
gerald gerard gerhard giovanni giuseppe glen glenn gordon graham grant greg gregory guillaume gustavo guy
hamid hans harold harry harvey hassan hector henry herbert howard hugh hugo ian igor isaac ivan jack jacob
jaime jake james jamie jan jared jason javier jay jean jeff jeffrey jeremy jerome jerry jesse jim jimmy joe
joel johan john johnny jon jonathan jordan jorge jose joseph josh joshua juan julian justin kamal karl
keith kelvin ken kenneth kevin khalid kim kirk klaus kurt kyle lars lawrence lee leo leon leonard leroy
liam lloyd logan lorenzo louis luc lucas luis luke malcolm manuel marc marcel marco marcus mario mark martin
marvin matt matthew maurice max maxim mehmet michael michel miguel mike mikhail milan mitch mitchell
mohamed mohammad mohammed muhammad murray nathan neil nelson nicholas nick nicolas nigel nikolai noah
norman oleg oliver omar oscar owen pablo patrick paul pedro peter phil philip philippe pierre rafael raj
rajesh ralph ramon randy raul ray raymond reginald rex ricardo richard rick rob robert roberto robin rod
rodney roger roland roman ron ronald ross roy rudy russell ryan salman sam samuel scott sean sebastian
sergei sergey sergio seth shane shaun sidney simon stanley stefan stephen steve steven stuart sunil
ted terry thomas tim timothy toby todd tom tommy tony travis trevor troy tyler umar vadim victor vijay
vikram viktor vincent vladimir walter warren wayne wesley will william willie xavier yuri yusuf zach
zachary justin hunter mitt rand newt marco ted jeb ben lindsey rick bobby chris reince sean kellyanne
elon jeff larry sergey mark tim satya sundar warren rupert vince doug emmanuel angela theresa boris
xi vladimir recep narendra shinzo justin jacinda volodymyr benjamin hosni bashar mahmoud ali hussein
saddam muammar fidel raul hugo nicolas evo lula jair pierre francois jacques nicolas gerhard helmut
silvio mario matteo pedro mariano jose felipe kofi ban antonio ramaphosa cyril jacob nelson thabo
robert jomo uhuru william`

const femaleNames = `abigail ada adriana agnes aisha alexandra alice alicia alison allison amanda amber amelia
amy ana anastasia andrea angela angelina anita ann anna anne annie antonia april ashley audrey barbara
beatrice becky belinda beth betty beverly bonnie brenda bridget brittany camilla candace cara carla carmen
carol caroline carolyn catherine cathy cecilia celine charlotte chelsea cheryl chloe christina christine
cindy claire clara claudia colleen connie cynthia daisy dana danielle daphne deborah debbie denise diana
diane dolores donna doris dorothy edith eileen elaine eleanor elena elisabeth elizabeth ella ellen emily
emma erica erin esther eva eve evelyn fatima fiona florence frances francesca gabriela gail gemma
georgia gillian gina gloria grace hannah harriet heather heidi helen helena hillary holly ingrid irene
iris isabel isabella jackie jacqueline jane janet janice jasmine jean jeanne jennifer jenny jessica jill
joan joanna joanne jodie josephine joy joyce judith judy julia julie june karen kate katherine kathleen
kathryn kathy katie katrina kay kelly kerry kim kimberly kirsten kristen laura lauren leah lena lesley
lily linda lisa liz lois lori lorraine louise lucia lucy lydia lynn madeleine maggie margaret maria
marie marilyn marion marjorie martha mary maureen megan melanie melissa meredith mia michelle mildred
miriam molly monica nadia nancy naomi natalia natalie natasha nicola nicole nina nora olga olivia paige
pamela patricia paula pauline penelope penny phyllis priya rachel rebecca regina rita roberta rosa
rosemary ruth sabrina sally samantha sandra sara sarah sharon sheila shirley silvia sofia sonia sophia
sophie stacy stephanie sue susan suzanne sylvia tamara tanya tara teresa theresa tiffany tina tracy
ursula valerie vanessa vera veronica victoria virginia wendy whitney yvonne yasmin zoe condoleezza
nikki kamala nancy elizabeth hillary michelle melania ivanka sarah kellyanne huma chelsea tulsi
amy kirsten maxine dianne debbie jacinda theresa angela ursula christine kristalina marine nicola
margaret julia benazir indira golda aung hasina yulia`
