"""Name frequency lists for the synthetic population.

Weights are rounded approximations of public-domain aggregate frequency tables
(the 2010 U.S. Census surname list, Social Security Administration given-name
counts). They are lists of *names*, never of people: no record here describes
anyone. Spellings are written naturally (with accents where Spanish usage has
them); the generator upper-cases and folds them as it needs.

Each block is ``NAME:weight`` separated by commas or newlines; a name may hold
spaces (compound given names, "De la Cruz").
"""

from __future__ import annotations

#: common U.S. surnames outside the Hispanic list (weight: thousands of bearers)
SURNAMES = """
Smith:2443, Johnson:1933, Williams:1625, Brown:1437, Jones:1425, Miller:1127, Davis:1116,
Wilson:801, Anderson:784, Thomas:756, Taylor:751, Moore:724, Jackson:708, Martin:702, Lee:694,
Thompson:664, White:660, Harris:624, Clark:562, Lewis:531, Robinson:529, Walker:523, Young:484,
Allen:482, King:465, Wright:458, Scott:439, Nguyen:437, Hill:434, Green:430, Adams:427,
Nelson:424, Baker:419, Hall:407, Campbell:371, Mitchell:367, Carter:362, Roberts:358,
Phillips:336, Evans:334, Turner:330, Parker:320, Edwards:317, Collins:317, Stewart:313,
Murphy:300, Morris:299, Cook:294, Rogers:294, Morgan:276, Cooper:270, Peterson:270, Bailey:266,
Reed:265, Kelly:264, Howard:264, Kim:264, Cox:254, Ward:254, Richardson:249, Watson:246,
Brooks:246, Wood:244, James:244, Bennett:239, Gray:238, Hughes:230, Price:229, Sanders:226,
Patel:226, Myers:224, Long:223, Ross:223, Foster:222, Powell:216, Jenkins:215, Perry:213,
Russell:211, Sullivan:210, Bell:209, Coleman:208, Butler:207, Henderson:206, Barnes:204,
Fisher:198, Simmons:196, Jordan:194, Patterson:193, Alexander:192, Hamilton:191, Graham:190,
Reynolds:189, Griffin:188, Wallace:187, West:186, Cole:185, Hayes:185, Bryant:184, Gibson:183,
Ellis:183, Tran:182, Stevens:180, Murray:180, Ford:179, Marshall:178, Owens:178, Harrison:176,
McDonald:176, Woods:175, Washington:174, Kennedy:174, Wells:173, Henry:172, Chen:171,
Freeman:170, Webb:169, Tucker:168, Burns:167, Crawford:167, Olson:166, Simpson:165, Porter:164,
Hunter:163, Gordon:163, Shaw:162, Snyder:161, Mason:160, Dixon:159, Hunt:158, Hicks:158,
Holmes:157, Palmer:156, Wagner:155, Black:155, Robertson:154, Boyd:154, Rose:153, Stone:152,
Fox:151, Warren:150, Mills:150, Meyer:149, Rice:148, Schmidt:148, Daniels:147, Ferguson:146,
Nichols:145, Stephens:144, Weaver:143, Ryan:142, Gardner:142, Payne:141, Grant:140, Dunn:140,
Kelley:139, Spencer:139, Hawkins:138, Arnold:137, Pierce:136, Hansen:135, Peters:134, Hart:133,
Bradley:132, Knight:131, Elliott:131, Cunningham:130, Duncan:130, Armstrong:129, Hudson:128,
Carroll:128, Lane:127, Riley:127, Andrews:126, Ray:125, Berry:124, Perkins:124, Hoffman:123,
Johnston:123, Matthews:122, Richards:121, Willis:121, Carpenter:120, Lawrence:120, George:119,
Chapman:118, Watkins:117, Greene:117, Wheeler:116, Harper:115, Burke:115, Larson:114,
Morrison:113, Franklin:113, Carlson:112, Austin:111, Carr:111, Lawson:110, Jacobs:110,
O'Brien:110, Lynch:109, Singh:109, Bishop:108, Montgomery:108, Oliver:107, Jensen:107,
Harvey:107, Williamson:106, Gilbert:106, Dean:105, Sims:104, Howell:104, Li:103, Wong:102,
Reid:102, Hanson:101, Le:101, McCoy:100, Garrett:100, Burton:100, Fuller:99, Wang:99, Weber:98,
Welch:98, Lucas:97, Fields:97, Park:96, Yang:96, Little:96, Banks:95, Day:95, Walsh:94,
Bowman:94, Schultz:93, Fowler:92, Davidson:92, Brewer:91, May:91, Holland:90, Newman:90,
Pearson:89, Curtis:89, Douglas:88, Schwartz:88, Lowe:87, O'Connor:60, Pham:80, Huang:70,
Zhang:60, Liu:60, Nowak:25, Kowalski:30, Schneider:60, Becker:55, Mueller:45, Friedman:35,
Cohen:70, Goldberg:35, Murphy-Jones:3, St. Pierre:8, Van Dyke:10, McAllister:20, Ali:40,
Khan:45, Shah:35, Yilmaz:5, Okafor:6, Mensah:5, Haddad:8, Rossi:20, Russo:25, Romano:25
"""

#: fragments the long tail of surnames is built from (prefix + suffix)
TAIL_PREFIXES = """
Aber, Ack, Ald, Ash, Bar, Beck, Berg, Black, Brad, Brand, Brook, Cald, Carl, Chat, Cold, Cran,
Dal, Dan, Dor, Drum, East, Eld, Fair, Fal, Fen, Fitz, Gal, Gold, Gran, Green, Hal, Ham, Hart,
Hav, Hol, Hun, Kel, Ken, Kirk, Lang, Lind, Mar, Mer, Mid, Mor, Nor, Oak, Pem, Ren, Ridge, Roth,
Sal, Sand, Shel, Stan, Stock, Strat, Sud, Sut, Thorn, Vander, Wal, War, Wes, Whit, Wim, Win
"""
TAIL_SUFFIXES = """
am, berg, burn, by, combe, dale, er, ford, gard, ham, hurst, ington, land, ley, man, mer, more,
ner, orth, quist, rick, sen, ski, son, stead, stein, strom, ton, well, wick, wood, worth
"""

#: Hispanic surnames (single, or one half of a double surname)
HISPANIC_SURNAMES = """
García:1166, Rodríguez:1095, Martínez:1061, Hernández:1043, López:874, González:841, Pérez:681,
Sánchez:612, Ramírez:557, Torres:437, Flores:436, Rivera:420, Gómez:366, Díaz:332, Cruz:322,
Reyes:312, Morales:292, Gutiérrez:288, Ortiz:286, Ramos:262, Chávez:250, Mendoza:242, Ruiz:238,
Álvarez:233, Castillo:230, Jiménez:219, Gonzales:204, Vásquez:199, Romero:194, Moreno:187,
Herrera:183, Medina:181, Aguilar:180, Castro:177, Fernández:176, Vargas:172, Guzmán:168,
Méndez:161, Silva:161, Muñoz:159, Salazar:152, Garza:149, Soto:145, Vázquez:140, Santos:134,
Alvarado:125, Delgado:125, Peña:124, Contreras:121, Sandoval:121, Guerrero:119, Ríos:118,
Estrada:118, Ortega:117, Núñez:116, Valdez:116, Santiago:114, Maldonado:113, Domínguez:111,
Vega:108, Espinoza:104, Rojas:98, Márquez:97, Padilla:96, Luna:92, Mejía:92, Acosta:91,
Juárez:90, Cortez:89, Navarro:88, Campos:85, Molina:80, Figueroa:75, Ávila:70, Robles:65,
Cárdenas:60, Ibarra:60, Lara:60, Escobar:58, Cervantes:58, Ochoa:55, Solís:55, Cabrera:55,
Rosales:55, Velázquez:50, Valencia:50, Beltrán:45, Zamora:45, Bautista:45, Trejo:40,
De la Cruz:70, De los Santos:30
"""

MALE_GIVEN = """
James:48, John:46, Robert:45, Michael:43, William:36, David:36, Richard:24, Joseph:24, Thomas:22,
Charles:21, Christopher:20, Daniel:19, Matthew:15, Anthony:14, Mark:13, Donald:13, Steven:12,
Paul:12, Andrew:12, Joshua:12, Kenneth:11, Kevin:11, Brian:11, George:11, Timothy:10, Ronald:10,
Edward:9, Jason:9, Jeffrey:9, Ryan:9, Jacob:9, Gary:8, Nicholas:8, Eric:8, Jonathan:8, Stephen:8,
Larry:7, Justin:7, Scott:7, Brandon:7, Benjamin:7, Samuel:6, Gregory:6, Alexander:6, Frank:6,
Patrick:6, Raymond:6, Jack:5, Dennis:5, Jerry:5, Tyler:5, Aaron:5, Adam:5, Henry:5, Nathan:5,
Douglas:5, Zachary:5, Peter:5, Kyle:5, Walter:4, Ethan:4, Jeremy:4, Harold:4, Keith:4,
Christian:4, Roger:4, Noah:4, Gerald:4, Carl:4, Terry:4, Sean:4, Austin:4, Arthur:4, Lawrence:4,
Jesse:4, Dylan:4, Bryan:4, Joe:3, Jordan:3, Billy:3, Bruce:3, Albert:3, Willie:3, Gabriel:3,
Logan:3, Alan:3, Wayne:3, Roy:3, Ralph:3, Randy:3, Eugene:3, Vincent:3, Russell:3, Elijah:3,
Louis:3, Bobby:3, Philip:3, Johnny:3, Darnell:1, DeShawn:1, Tyrone:1, Malik:1, Jamal:1,
Andre:1, Mohammed:2, Ahmed:1, Minh:1, Wei:1, Raj:1, Hiroshi:1, Sung:1, Dmitri:1, Olusegun:1
"""

FEMALE_GIVEN = """
Mary:32, Patricia:16, Jennifer:15, Linda:15, Elizabeth:14, Barbara:14, Susan:11, Jessica:10,
Sarah:10, Karen:10, Lisa:9, Nancy:9, Betty:9, Margaret:9, Sandra:8, Ashley:8, Kimberly:8,
Emily:8, Donna:8, Michelle:8, Dorothy:8, Carol:7, Amanda:7, Melissa:7, Deborah:7, Stephanie:7,
Rebecca:6, Sharon:6, Laura:6, Cynthia:6, Kathleen:6, Amy:6, Angela:6, Shirley:5, Anna:5,
Brenda:5, Pamela:5, Emma:5, Nicole:5, Helen:5, Samantha:5, Katherine:5, Christine:5, Debra:5,
Rachel:4, Carolyn:4, Janet:4, Catherine:4, Heather:4, Diane:4, Ruth:4, Julie:4, Olivia:4,
Joyce:4, Virginia:4, Victoria:4, Kelly:4, Lauren:4, Christina:4, Joan:4, Evelyn:4, Judith:4,
Megan:4, Andrea:4, Cheryl:4, Hannah:4, Jacqueline:3, Martha:3, Gloria:3, Teresa:3, Ann:3,
Sara:3, Madison:3, Frances:3, Kathryn:3, Janice:3, Jean:3, Abigail:3, Alice:3, Judy:3, Sophia:3,
Grace:3, Denise:3, Amber:3, Doris:3, Marilyn:3, Danielle:3, Beverly:3, Isabella:3, Theresa:3,
Diana:3, Natalie:3, Brittany:3, Charlotte:3, Marie:3, Kayla:3, Alexis:3, Lori:3, LaToya:1,
Keisha:1, Tamika:1, Mai:1, Linh:1, Priya:1, Fatima:1, Aisha:1, Yuki:1, Mei:1, Svetlana:1
"""

HISPANIC_MALE_GIVEN = """
José:30, Juan:24, Luis:18, Carlos:18, Jesús:13, Jorge:12, Miguel:12, Francisco:11, Antonio:10,
Alejandro:9, Manuel:9, Pedro:7, Ricardo:7, Roberto:7, Javier:7, Fernando:6, Eduardo:6, Mario:6,
Daniel:6, Raúl:5, Ramón:5, Rafael:5, Sergio:5, Héctor:5, Víctor:5, Óscar:4, Andrés:4, Martín:4,
Rubén:4, Arturo:4, Enrique:4, Alberto:4, Ángel:4, Guillermo:3, Gerardo:3, Armando:3, Alfredo:3,
Adrián:3, Diego:3, Julián:2, Sebastián:2, Joaquín:2, Iván:2, Tomás:2, Nicolás:2, Ignacio:2,
Gustavo:2, Salvador:2, Ernesto:2, Rodrigo:2, Mauricio:2, Emilio:2, Cristian:2, Santiago:2,
Pablo:2, Felipe:2, Hugo:2, Gilberto:2, Efraín:1, Agustín:1, Germán:1, Hernán:1, Lorenzo:1,
Juan Carlos:4, José Luis:4, José Antonio:2, Juan José:1, Luis Ángel:1
"""

HISPANIC_FEMALE_GIVEN = """
María:30, Guadalupe:8, Ana:8, Rosa:7, Carmen:6, Juana:5, Verónica:5, Patricia:5, Leticia:4,
Alejandra:4, Adriana:4, Claudia:4, Gabriela:4, Sandra:4, Mónica:4, Lucía:3, Sofía:3, Yolanda:3,
Martha:3, Silvia:3, Isabel:3, Daniela:3, Mariana:3, Valeria:3, Paola:3, Norma:3, Blanca:3,
Teresa:3, Ximena:2, Raquel:2, Beatriz:2, Ángela:2, Rocío:2, Dolores:2, Marisol:2, Yesenia:2,
Maribel:2, Araceli:2, Estela:2, Elena:2, Irma:2, Angélica:2, Natalia:2, Inés:1, Jazmín:1,
Belén:1, Noemí:1, Itzel:1, Esperanza:1, Consuelo:1, Lourdes:1, Socorro:1, Concepción:1,
Valentina:1, María Guadalupe:4, María José:2, Ana María:2, María Elena:2
"""


def parse_block(block: str) -> list[tuple[str, float]]:
    """``"A:1, B:2"`` -> ``[("A", 1.0), ("B", 2.0)]``; a missing weight counts 1."""
    out: list[tuple[str, float]] = []
    for raw in block.replace("\n", ",").split(","):
        item = raw.strip()
        if not item:
            continue
        name, _, weight = item.partition(":")
        out.append((name.strip(), float(weight) if weight else 1.0))
    return out
