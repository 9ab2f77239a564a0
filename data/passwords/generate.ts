/**
 * Writes data/passwords/common.txt: the passwords people pick first, written in the « core » form
 * the policy compares (lower case, no accents, letters and digits only; see
 * src/modules/accounts/password-policy.ts). Built from well-known patterns, not downloaded: the
 * words that head every published leak (French and English), first names, places, football
 * clubs, keyboard walks and the words of public service. Run: npx tsx data/passwords/generate.ts
 */
import { writeFileSync } from "node:fs";

const words = `password passw0rd motdepasse mdp secret secrets azerty azertyuiop qwerty qwertyuiop qwertz
abc abcdef abcd admin administrateur administrator root toor user utilisateur login connexion guest invite
test tester testing demo demonstration default defaut changeme change changer welcome bienvenue bonjour
bonsoir salut coucou hello hallo letmein trustno iloveyou jetaime jetadore monamour amour love lover loveme
soleil lune etoile ciel mer ocean plage ete hiver printemps automne noel paques vacances weekend
chouchou doudou loulou nounours bisou bisous cheri cherie calin mamour bebe mamie papie maman papa famille
enfant enfants princesse prince chaton chat chien toutou minou titi toto tata tutu dragon tigre lion
loup ours aigle faucon panther panthere cheval licorne papillon fleur rose tulipe marguerite
football foot soccer rugby tennis basket handball hockey baseball golf velo cyclisme ski surf moto
voiture ferrari porsche mercedes bmw audi peugeot renault citroen batman superman spiderman pokemon
naruto starwars matrix harrypotter minecraft fortnite zelda mario sonic pikachu
master monkey shadow sunshine princess football baseball dragon michael jordan mustang access
freedom whatever trustme computer internet ordinateur informatique reseau serveur windows linux apple
samsung google facebook twitter instagram youtube orange free bouygues sfr wanadoo laposte
marianne republique france francais liberte egalite fraternite servicepublic fonctionnaire mairie
prefecture agent accueil usager public publique service services vigie qualite reclamation
courrier bureau travail boulot entreprise societe direction secretariat compta comptabilite
janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
lundi mardi mercredi jeudi vendredi samedi dimanche
un deux trois quatre cinq six sept huit neuf dix zero
rouge vert bleu jaune noir blanc violet orange marron gris
nicolas julien thomas camille lea manon emma chloe ines lucas hugo louis nathan enzo theo
marie jean pierre paul jacques michel philippe alain patrick christophe stephane sebastien
frederic laurent olivier eric david daniel francois christian bernard dominique isabelle
sylvie catherine nathalie sandrine valerie christine sophie celine stephanie veronique
martine nicole monique francoise anne laura julie sarah pauline marine mathilde charlotte
alexandre antoine maxime romain kevin jeremy anthony florian quentin guillaume vincent
mathieu benjamin adrien clement arthur jules gabriel raphael leo adam paul victor
alice jade louise rose anna lina mila ambre agathe juliette margaux lucie clara elise
martin bernard dubois durand lefebvre leroy moreau simon laurent michel garcia david
bertrand roux vincent fournier morel girard andre mercier dupont lambert bonnet
paris marseille lyon toulouse nice nantes strasbourg montpellier bordeaux lille rennes
reims toulon grenoble dijon angers nimes brest limoges tours amiens perpignan metz besancon
orleans rouen caen nancy poitiers avignon poissy versailles bretagne normandie alsace
provence corse savoie auvergne bourgogne lorraine picardie vendee guadeloupe martinique
reunion guyane mayotte
psg om ol asse losc olympique allezlesbleus allezparis allezlom
jesus dieu ange angel diable demon enfer paradis
cocacola chocolat nutella pizza fromage baguette croissant vanille caramel
musique guitare piano batterie chanson danse cinema theatre
tintin asterix obelix garfield snoopy mickey minnie simba nemo shrek
fuckyou merde putain connard salope`
  .split(/\s+/)
  .filter(Boolean);

const walks = [
  "azertyuiop",
  "qsdfghjklm",
  "wxcvbn",
  "qwertyuiop",
  "asdfghjkl",
  "zxcvbnm",
  "azertyqwerty",
  "aqwzsxedc",
  "azsxdcfv",
  "qazwsxedc",
  "1qaz2wsx",
  "1q2w3e4r",
  "1q2w3e4r5t",
  "a1z2e3r4",
  "a1z2e3r4t5",
  "q1w2e3r4",
  "zaq12wsx",
  "poiuytreza",
  "mlkjhgfdsq",
];

const entries = new Set<string>();
for (const w of [...words, ...walks]) {
  entries.add(w);
  // The same word twice, reversed, and with the usual prefixes: « monmotdepasse », « superadmin »…
  entries.add(`${w}${w}`);
  entries.add([...w].reverse().join(""));
  for (const prefix of ["mon", "ma", "super", "my", "the", "le", "la", "i love", "jaime", "vive", "allez"]) {
    entries.add(`${prefix}${w}`.replace(/\s/g, ""));
  }
}
// Pure digits: repeated digits, counting up and down, years and the usual « 123… ».
for (let d = 0; d <= 9; d++) for (let n = 4; n <= 16; n++) entries.add(String(d).repeat(n));
for (let start = 0; start <= 9; start++) {
  for (let n = 4; n <= 16; n++) {
    let up = "";
    let down = "";
    for (let i = 0; i < n; i++) {
      up += String((start + i) % 10);
      down += String((start - i + 100) % 10);
    }
    entries.add(up);
    entries.add(down);
  }
}
for (let year = 1940; year <= 2040; year++) entries.add(`${year}${year}`);

const sorted = [...entries].filter((e) => e.length >= 3).sort();
writeFileSync(new URL("./common.txt", import.meta.url), `${sorted.join("\n")}\n`);
console.log(`${sorted.length} entrées écrites dans data/passwords/common.txt`);
