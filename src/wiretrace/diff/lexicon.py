"""English words that one spelling edit turns into another English word.

Two such words in the same place are two words, not one spelled two ways
(trial/trail, later/latter, thank/think): :mod:`wiretrace.diff.spelling` lets this
list veto a variant whose both forms are in it.  The list is data, made by
:func:`derive_english_pairs` from the shared corpora and checked by hand.
"""

from __future__ import annotations

__all__ = ["derive_english_pairs", "is_english_pair"]


# Made by :func:`derive_english_pairs` (lowercase words seen twice in the BBC
# News corpus, or once there and twice in Reuters-21578; partners at edit
# similarity 0.6 or more), less the misspellings and national variants the
# corpora hold both ways, taken out by hand: accomodate, adaptor(s),
# advisor(s), annoucement, blogsphere, competitve, dependant, despatched,
# enquiry, enquiries, focussed, focussing, noteboook, possibilty, prefering,
# protestors, sucessor, targetted.
_ENGLISH_PAIRED = frozenset("""
abdication abduction abided abiding absent absentee access accessed accessing accommodate
accused accuses accusing action actions adapt adapted adapter adapters adapting addiction
addition adept adopt adopted adopting advert adviser advisers advises adware affects aided
aiding ailing aiming airliners airlines alight along alright amassed amazed amazing among
amusing announce announcement announces annoyance annoyances apace apiece
applaud apples applied applies areas arenas arisen arising arson assert asserts asset assets
attendees attends auction auctions auditing audition auditions auditors avert aviation aware
backbenchers backbenches backed backs bailed baiting baked balked ballad ballet balloon
ballot ballots balls bands banked banned barely baring barking barley barred barring based
bases bashing basics basing basis basking battered battle battled battles beach beaches
beamed bearing bears beast beating beats became become bedding bedside beers began begin
begun being believed bells belly beloved bench berth beside bests better bettered betting
biased bidding billed billing billion bills binned birds birth bitter black bland blend
blind block blocks blocs blogosphere blowing boards boast boasts boats bodes bodies boils
bonds bones bonus booked boomed boost boosted boosts booted booths boots bored boring bosses
bother bottle bottled bottles bought bouts bowing brace bracing brake brakes braking brands
breach breaches breaching bread breadth breakers breaking breaks breast breath breed
breeding breweries brewers bright bring broad broke brokers broking brooding brother brought
brunt bucks budding build bullet bullets bully bullying bunch buried burnt burying buses
businessman businessmen butter butting buyers buying callers calling calls camped camps
campus cancel caper capped capping carat carded cared career careers carers cares caring
carried carrier carriers carries carry carrying carve carving cases cashed casting casts
categories categorise cause caused causes causing cease ceased ceases ceiling celebrates
celebrities cells central centres cents centuries certain chair chaired chairing chairman
chairmen chairs challengers challenges chants chart chase chased chasing chatted cheaper
cheated cheer cheered cheering cheers cheese chests chilling chipped chipping choir choose
choosing chopped chorus chose cited cites cities citing clamped clapping clashed clashes
class classed classes clause clauses cleaning click clicked clicking clicks cling clock
clocked clocking clocks cloning close closed closes closest closets clung coach coarse
coated coating coders codes coincide coincided coinciding coking collating colleague
colleagues college colleges collided collision colluded collusion compares compelled
compelling compete competed competes competing competitive compiled compiling complains
complaints complete completed completes completing complied compress compressed compressing
comprised comprises comprising computing conceal concede conceded conceding confessed
confession confidant confident confirm conform confused confusion consumers consumes contact
contacted contacting contacts contained containing continent contingent continued continues
continuing continuous contract contracted contracting contracts control convert cooking
cooled cooling coped copied coping copying cores costing costs couch could counteract
counties countries country counts county course covert covet crabs cranes crash crashed
crashes crashing crass crave crazed creators creatures cried cries crimes crises crisis
cronies cross cruises crush crushed crushing crying curbs curry curtain curve cutting dairy
dangerous dangers daring darling dashed dates daylight deafening dealer dealers dealing
debated debates debating debit debts debut debuted debuting debuts decade decades
deceleration decent decide decides declaration dedication deduction deemed deepened deeply
defect defected defection defects defend deficit deficits defied defined defining deflect
deflected deflection delete deleted deletion delight deliveries delivers dented departed
depend dependent deplete depleted depletion deploy deported deprive deprived derive derived
descent desks despite destruction detain detainee dialler diallers dialling diaries diary
diets digging dinars dinners dipping discs discuss dished disks dispatched dispute distract
distraction district divided dividend diving dogging doing donated donors doomed doors
doping doubts downed downing draft drafted drafting drawing drawn dreams dress dried dries
drift drifted drifting drilled drink drive drivers drives driving drove drown drowned
drowning drums drunk duets during duties dying easing editing edition editions editors
effects employ employee employees employing employs endeared endogenous endured enforced
ensuing ensured ensuring enviroment environment erasing ethic ethnic evacuation evaluation
eviction evocation evolution excess excesses excite excited excuses execute executed exert
exist exists exits expansive expensive expert experts expires explosion export exports
express expulsion faced faces facial facing factories factors fading failed failing failings
fails fairly fairs fairy faked fakes faking falling fallout fallow faltered faltering fancy
farce fared fares farewell faring farmer farming farms fashion faster fated favour favoured
favours feared fearing fears feature features feeding feeds feeling feelings feels feely
felled fellow feted feuding feuds fever fewer fiddled field fielded fielding fierce fiery
fight fights filed files filing filings filled filler filling filmed filming filtered
filtering finally finding finds finely fired firemen fires firewall firing firmed firmer
firming firms first fixes fizzled flair flared flash flashing flats flavour flavoured
flavours flaws fleeing fleet flesh flick flies flight flights float floated floating floats
flock flood floods floor floors flout flouted flouting flowers flowing flows fluid fluids
flung flush flushing flyers flying focal focus focused focusing foiled folded folding follow
followers following follows fonts foods fooled fools footed force foreman forest foreword
forget forgot formed former forming forms forums forward foster fought fouled fouls founded
founding foxes framing franchise franchisee frantic fraud fraught freed freeing freely
freeze freezing freight frenetic fretted fried friend fronts frost froze fueled fuelled
fuelling fuels fuller funded funding funds funky fusion future futures gamers games gangs
geared gigabits gigabytes glass gloss gongs goose grand grant grass great green greet grind
grinding grips groin gross ground grounding groups grunt guard guess guests guise hailed
hails halted halves halving handed handing handled handlers handles handling hands hangs
happy hared harmed hated hatred hauled haunted haven havens haves having hazardous hazards
heading headliners headlines heady heaped heard hearing hears hearted hearts heated heats
heaven heels heirs heists herds heyday hiatus hiding hindered hinges hinted hinting hints
hippy hired hiring historical hoisted honestly honesty hooves hoped hordes hosted hosts
hounds hours hundred hunting hunts hurts hyped hysterical implying indeed indexed indicated
indication indicted indigenous inducted induction inquiries inquiry instal install instil
insured inventories inventors issuers issues killers killing knack knock kroner kronor label
lacked lacking lacks ladder lager lagging landing lands lanes larger laser lasers lashed
lasted lasting later latter lauded launch launchers launches lawyer layer laying leader
leading leads leaked leaking leaks leaned leaning leant learned learning learnt lease leased
leases leasing leavers leaves leaving legged lending lends lessen lesser lesson letter
levied libel license licensee liked liking linear lined liner lines lining linked linking
listed listing lived lively liver lives livid living loaded loading loads loaned loans
lobbing lobbying locked locking locks logged logging looked looking looks loose loser losers
loses losing losses loved lovely lover lovers loves loving lower lunch lying mails mains
maintain maintains major majors maker makers makes making males managers manages manner
mansion marched marked marker marking marred married marry martial masse masses master
mastery maths matters mature mayor mayors meals meaning means meant medal medals megabits
megabytes mental mentor menus mercy merry metal metals meteoric meters metre metric midday
middleman middlemen midst miles miner miners mines mining minis minister minor minors minus
mired missed misses missing misuse misused misusing model models modems modes modest
momentous moments monitor monsoon monster months mooted moral morality morning mortal
mortality mothers mount mountain mountainous mountains mounts mourning mouths moves movies
muddy murky muster muted mutual mystery myths naive nation nations native naval needle
needless nerves nervous netted netting never newer noises noses notched notching notebook
noted nothing noticed noting notion notions novel observers observes officers offices organs
origins other ousting outer outing outling ovation overcame overcome overs overseas oversee
oversees overshoot overshot owing owning paced packed packet packs paint painted painting
paired pairs palace panel parade parent parenting parents paring parking partial parties
parting partly parts party passed passes passing patch patched patches patent patents
patient patients patrol pause paused payable payers paying peace peaked pecking peers pelted
penal penned personal personnel pesos petrol petty phase phased phases phasing phishing
photons photos phrase phrasing picked picket pickets picking picks piece piled piling pills
piloted pilots pinned pipped pirating pitch pitched pitches place placed placing planes
planet planks plans plant plants plate plates playable players playing plays plead pleads
pleas plots plumping plying pocket pockets point pointed pointing poised poked police
policeman policemen policing polite polled polling polls pooled pooling popped popping
portal ports posed poses posing possess possibility posted posting potent pouncing poured
pouring powder power praise praises praising preceding preclude predict prediction
predictions predicts preferring prelude premise premises pretty price priced prices pride
prince print printing prints prize prizes proceed proceeding process processed producers
produces product production productions products programmers programmes promise promises
promoters promotes proper propose proposes propping prospects prospectus prosper protesters
proves providers provides prowess publishers publishes pulled pulling pulls pumping punching
purchasers purchases purpose purposes purse pursue pushed pushing quiet quite quits quitting
quotas quote quotes quoting raced racer races racing racked racket racking racks radar
radios radius raged ragged raging raids rains raises raising raked rallied rallies rally
rallying ranged ranges ranging ranked raped rapid rapped rapping raring rated rates rating
reached reaches reaching reader readers reading reads realising reallocated really reaped
rebanding rebates rebounding rebuts receiver receivers receives recess recover recovers
recreated recruited reeled reeling refer referee referees refers refined refuge refugee
refund regain regains region regions reign reigning reined reins relay relayed relays relied
relies relieve relishing relive relocated relying remainder remained remind reminder reneged
reneging rented repaid repay repeatedly repetition replay replays replied replies reply
reputation reputedly reside residue resign resigning restarted restated resting restraining
retaining retirees retires retraining reunited revaluation revaluing reveal revealing
reveals revelation revels revolution richer riches ridding riddled riders riding rifled
rigged rigid riled ringing rings riots ripped ripping rises rising risking rites rival
rivals roads roaring roasting robots rocked rocket rocks roles rolled rolling roost roots
rousing routed routes routing roving rowing rubbing rugged ruined ruing ruins ruled rules
ruling runaway running runway rushing sacked sacking sailed sailing sales salute salvage
sample satire savage savers saves saving saying scans scant scarce scare scared scares
scenes scent score scored scores scoring scraped scrapped sealed sealing seals searchers
searches seated seats secure secured secures securing seeded seeds seeing seeking seized
selling sells sending sends sentencers sentences series serious servers serves setting
settle settling shaft shall shapes share sharers shares shave shaving shedding sheet sheets
shell shells shied shield shift shine shipped shipping ships shirt shirts shocked shocking
shocks shone shoot shooting shopping shops shore short shorts shots should shout shouting
shove shoving showing shrank shredding shrine shrink shrunk shutting shuttle sided sides
siding sight signing silly simple simulate simulating singing sinking sited sites sitting
situated situation situations sized skills skulls slack slams slapped slash slate slates
slaves slick slides sliding slight slipped slipping slopping slots slumps slums small smell
smelling smiling soared socks solely sorely sorting sorts sought souls sounding sounds
soured space spaces spades spanning spare spared sparked sparking sparkling spates species
speed speeded speeds spell spelled spelling spells spending spends sphere spices spied spike
spill spilled spilling spinning spirit spirits spitting splash splitting spoke spokeman
spokesman sport sporting sports spots spotting spraying spread spring sprites spuds spurring
spurt stable staff stage staid stain stairs stake stall stalling staring starred starring
stars started starting startling starts stated states stating station stations stats
statuette status statute stayed staying stead steadied steady steal stealing steam steel
steered steering stepped stepping steps stick sticking sticks stiff still stimulate
stimulating sting stinging stint stirred stirring stock stocking stocks stoke stoking stole
stood stooge stool stopped stopping stops store stored stores storey stories storing stormed
stormy story strain strangely stranger strangest strapped streaking stream stress strike
strikers strikes striking string stripped stroke strokes strong stronger strongest strongly
struck strugglers struggles stuck studied studies studios study stuff stunt style styles
stylus subscribers subscribes succeed succesfull successful successor sucked sucking suing
suitable suited suites suits suppliers supplies support supporting supports surely surveys
sweep swelling swing swinging swoop swung syncing tabled tables tablets tabloid taken takers
takes taking tales talking tamed tamely tampered tanker tankers tanks tanned taped tapes
tapped tapping targeted targeting targetting tastes tasting taught taxiing taxing teach
teachers teaches teaching teamed teaming tearing tears teeth tells tempered tendering tends
tennis testing tests thank thanks theirs themed there these thigh think thinks third
thorough those though thought threat three threw thrilled thrilling thriving throat through
throw throwing thrust thrusts thundering ticking ticks tight tills timed timely timing
tinker tipped tipping tired tires token toned tones tonnes tooth topped topping toppled
toppling toting touch touches touching tough toured touring tours touting trace traced
tracing track tracked tracking tracks traders trades trail trails trains trans transit
transmit trapped treat trebled trees trends trial trialled trialling trials tribal tribes
trick tricked tricking tricks tried tries trimmed tripped trips triumphed troops troubled
trough truants truce truck trucks trumped trust trusts trying tuned tunes tuning turned
turning turns tying types tyrants tyres unforced unites units upheld uphold vacuous valid
valued vested vicious victories victors viewed villagers villages visited voters votes vowed
waiter waiving walls wandered wandering waning wanting wares warning washed watch watchers
watches water waved waves waving weaken weakened weather weekend weeping weighed weighted
weird wells whether while whining whipped whipping whole widen widow widows wills window
windows winds wiped wiping wired wires wished witch withdraw withdrew wives woken woman
women wondered wondering wooden words worlds wounds wowed wrested wrestled write writers
writes wrote years yours zeros ziers
""".split())


def is_english_pair(x: str, y: str) -> bool:
    """Whether both normalised words are English words that spelling edits pair up."""
    return x in _ENGLISH_PAIRED and y in _ENGLISH_PAIRED


def derive_english_pairs(min_count: int = 2, min_similarity: float = 0.6
                         ) -> list[tuple[str, str]]:
    """The pairs :data:`_ENGLISH_PAIRED` was made from, computed again from the
    shared corpora (``wiretrace.evaluate.corpora``): words within two deletions of each
    other, both common, whose edit :func:`~wiretrace.diff.spelling.edit_is_orthographic`
    accepts and no spelling convention explains."""
    import re
    from collections import Counter

    from rapidfuzz.distance import Levenshtein

    from wiretrace.diff.spelling import _gendered, conventional, edit_is_orthographic
    from wiretrace.evaluate.corpora import bbc_articles, reuters_articles

    lower = re.compile(r"\b[a-z]{4,}\b")
    counts = [Counter(w for a in corpus() for w in lower.findall(a.text))
              for corpus in (bbc_articles, reuters_articles)]
    # BBC copy is edited: twice there makes a word; Reuters' 1987 wire repeats
    # its slips (goverment, seperate), so it only confirms a word the BBC has
    bbc, reuters = counts
    common = sorted(w for w in bbc if bbc[w] >= min_count or reuters[w] >= min_count)
    by_key: dict[str, list[str]] = {}
    for word in common:
        once = {word[:i] + word[i + 1:] for i in range(len(word))}
        keys = {word} | once | {w[:j] + w[j + 1:] for w in once for j in range(len(w))}
        for key in keys:
            by_key.setdefault(key, []).append(word)
    pairs = set()
    for words in by_key.values():
        for i, x in enumerate(words):
            for y in words[i + 1:]:
                if conventional(x) != conventional(y) and not _gendered(x, y) \
                        and Levenshtein.normalized_similarity(x, y) >= min_similarity \
                        and edit_is_orthographic(x, y):
                    pairs.add((x, y))
    return sorted(pairs)
