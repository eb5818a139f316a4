/**
 * The words the bench's transcripts are made of (the `/fixtures/transcripts` route draws from
 * them at random per utterance): sentence templates of a call to a local service business, agent
 * and caller in turn, with `{name}`, `{day}`, `{service}`, `{place}` and `{brand}` filled in, and
 * a few filler words after each sentence. 270 brand names (rare words, each in about one call in
 * 300) and 300 filler words (each in about 6% of calls) give the index a realistic spread
 * of frequent and rare lexemes, so a search for a rare name or a common word is each honest.
 */
const agent = [
  'Thank you for calling {brand} {service}, this is {name}, how can I help you today?',
  'Good morning, {brand}, {name} speaking.',
  'I can get a technician out to you on {day} in the morning.',
  'Can I get your name and the address of the property?',
  'What is the best phone number to reach you at?',
  'The service call is eighty nine dollars and that goes toward the repair.',
  'We do offer free estimates for {service} in {place}.',
  'Let me check the schedule for {day}, one moment please.',
  'You are all set for {day} between eight and noon.',
  'I will send you a text message confirming the appointment.',
  'Is there anything else I can help you with today?',
  'We have financing available on new systems over two thousand dollars.',
  'Our technicians are licensed and insured in {place}.',
  'I am sorry to hear about that, let me see what I can do.',
  'Could you spell your last name for me please?',
  'We are open Monday through Saturday from seven to six.',
  'The earliest I have is {day} afternoon, would that work?',
  'I will have {name} call you back within the hour.',
  'Do you know the make and model of the unit?',
  'We price match any written quote from {brand}.',
  'We would need to see it before we can give you a price.',
  'Thanks for calling, have a great day.',
];
const caller = [
  'Hi, I am calling about {service}, how much do you charge?',
  'Yes hi, my water heater is leaking in the basement.',
  'I got a quote from {brand} and wanted to compare prices.',
  'Do you service the {place} area?',
  'I would like to schedule an appointment for {day} if possible.',
  'My name is {name} and I live over in {place}.',
  'That is a little more than I wanted to spend.',
  'Can someone come out today, it is kind of an emergency.',
  'I am not interested, please take me off your list.',
  'My neighbor {name} recommended you.',
  'I saw your ad on Google and had a few questions.',
  'The air conditioner stopped blowing cold air yesterday.',
  'How long have you been in business?',
  'Is the estimate free or is there a charge?',
  'I need to talk to my wife first and call you back.',
  'Okay {day} works for me, thank you.',
  'Your technician was supposed to come yesterday and never showed up.',
  'I would like to speak to a manager about my bill.',
  'Do you do {service} for commercial buildings?',
  'Great, see you on {day}.',
  'Sorry, wrong number.',
  'Can you text me the confirmation?',
];
const names = [
  'Maria',
  'James',
  'Linda',
  'Robert',
  'Patricia',
  'Michael',
  'Jennifer',
  'David',
  'Elizabeth',
  'William',
  'Susan',
  'Richard',
  'Jessica',
  'Joseph',
  'Sarah',
  'Thomas',
  'Karen',
  'Carlos',
  'Nancy',
  'Daniel',
  'Lisa',
  'Matthew',
  'Betty',
  'Anthony',
  'Sandra',
  'Mark',
  'Ashley',
  'Donald',
  'Kimberly',
  'Steven',
  'Priya',
  'Wei',
  'Fatima',
  'Olga',
  'Hiroshi',
  'Aisha',
  'Diego',
  'Ingrid',
  'Kwame',
  'Sofia',
];
const days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'tomorrow', 'next week'];
const services = [
  'plumbing',
  'drain cleaning',
  'water heater repair',
  'furnace repair',
  'air conditioning',
  'roofing',
  'gutter cleaning',
  'pest control',
  'lawn care',
  'tree removal',
  'window replacement',
  'garage door repair',
  'electrical work',
  'panel upgrade',
  'carpet cleaning',
  'mold remediation',
  'foundation repair',
  'kitchen remodeling',
  'bathroom remodeling',
  'solar installation',
  'duct cleaning',
  'sewer line repair',
  'septic pumping',
  'pool service',
  'appliance repair',
  'locksmith service',
  'moving',
  'painting',
  'fence installation',
  'concrete work',
];
const places = [
  'Springfield',
  'Riverside',
  'Fairview',
  'Madison',
  'Georgetown',
  'Franklin',
  'Clinton',
  'Salem',
  'Arlington',
  'Ashland',
  'Burlington',
  'Dover',
  'Hudson',
  'Kingston',
  'Lexington',
  'Milton',
  'Newport',
  'Oxford',
  'Plymouth',
  'Troy',
  'Auburn',
  'Bristol',
  'Canton',
  'Dayton',
  'Jackson',
  'Marion',
  'Oakland',
  'Quincy',
  'Winchester',
  'Yorktown',
];
const brandStart = [
  'Blue',
  'Red',
  'Green',
  'Gold',
  'Silver',
  'North',
  'South',
  'East',
  'West',
  'Summit',
  'Valley',
  'River',
  'Lake',
  'Pine',
  'Oak',
  'Maple',
  'Cedar',
  'Iron',
  'Stone',
  'Bright',
  'Sun',
  'Star',
  'Eagle',
  'Falcon',
  'Liberty',
  'Patriot',
  'Pioneer',
];
const brandEnd = ['peak', 'line', 'way', 'field', 'crest', 'ridge', 'point', 'gate', 'wood', 'haven'];
const brands = brandStart.flatMap((start) => brandEnd.map((end) => `${start}${end}`));
const filler = `
  actually basically honestly really just like okay right sure yeah well um uh so anyway alright
  yesterday today tonight morning afternoon evening weekend week month year hour minute second
  house home basement attic kitchen bathroom bedroom garage yard roof wall floor ceiling window door
  pipe valve tank filter thermostat breaker outlet switch wire vent duct compressor pump motor fan
  leak drip noise smell smoke water gas power heat cold mold crack stain rust damage
  price cost quote estimate bill invoice payment card cash check discount coupon warranty guarantee
  insurance deductible claim permit inspection license contract deposit balance financing credit
  technician plumber electrician installer contractor crew manager owner landlord tenant neighbor
  wife husband son daughter mother father brother sister friend
  appointment schedule calendar time window slot opening availability emergency urgent priority
  address street avenue road lane drive court place apartment unit building office store
  phone number email text message voicemail callback website review google yelp facebook ad
  new old broken working fine great terrible expensive cheap fast slow early late busy free
  call ask tell say think know want need help fix replace install repair clean check look see
  come go send bring pay charge book cancel reschedule confirm wait hold transfer
  one two three four five six seven eight nine ten twenty thirty fifty hundred thousand
  january february march april may june july august september october november december
  spring summer fall winter rain snow storm wind flood freeze heatwave
  model brand unit system tankless furnace boiler heatpump condenser coil blower igniter sensor
  sump disposal faucet toilet shower tub sink drain sewer septic main line meter
  loud quiet hot warm cool dry wet dirty clean safe dangerous small large
`
  .trim()
  .split(/\s+/);

export const TRANSCRIPT_WORDS = { agent, caller, names, days, services, places, brands, filler };
