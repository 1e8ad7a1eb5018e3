<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="it_IT">
<context>
    <name>AdminMode</name>
    <message>
        <location filename="../../ui/admin/mode.py" line="56"/>
        <source>Monitoring</source>
        <translation>Monitoraggio</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="57"/>
        <source>Reports</source>
        <translation>Report</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="58"/>
        <source>Email accounts</source>
        <translation>Account email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="59"/>
        <source>Email handling</source>
        <translation>Gestione email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="60"/>
        <source>Agents and queues</source>
        <translation>Agenti e code</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="63"/>
        <source>Templates and dispositions</source>
        <translation>Modelli ed esiti</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="65"/>
        <source>Desk settings</source>
        <translation>Impostazioni della postazione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="87"/>
        <source>A&amp;dmin mode</source>
        <translation>Modalità a&amp;mministratore</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="94"/>
        <source>Admin mode ({keys})</source>
        <translation>Modalità amministratore ({keys})</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="97"/>
        <source>Settings, realtime monitoring and reports (supervisors)</source>
        <translation>Impostazioni, monitoraggio in tempo reale e report (supervisori)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="108"/>
        <source>A&amp;dmin</source>
        <translation>A&amp;mministrazione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="146"/>
        <source>Sign in first: admin mode is for signed-in supervisors.</source>
        <translation>Accedi prima: la modalità amministratore è per i supervisori che hanno effettuato l&apos;accesso.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="154"/>
        <source>Checking your role…</source>
        <translation>Verifica del tuo ruolo…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="168"/>
        <source>Admin</source>
        <translation>Amministrazione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="191"/>
        <source>Admin mode: {name} (supervisor)</source>
        <translation>Modalità amministratore: {name} (supervisore)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="223"/>
        <source>Agent mode</source>
        <translation>Modalità agente</translation>
    </message>
</context>
<context>
    <name>AdminSettings</name>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="116"/>
        <source>agent</source>
        <translation>agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="117"/>
        <source>supervisor</source>
        <translation>supervisore</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="176"/>
        <source>&amp;Save</source>
        <translation>&amp;Salva</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="179"/>
        <source>&amp;Revert</source>
        <translation>&amp;Ripristina</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="222"/>
        <source>Nothing was saved: correct the fields marked above.</source>
        <translation>Non è stato salvato nulla: correggi i campi segnalati sopra.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="229"/>
        <source>Nothing has changed.</source>
        <translation>Non è cambiato nulla.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="234"/>
        <source>Saving…</source>
        <translation>Salvataggio…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="249"/>
        <source>{count} of {total} changes were refused.</source>
        <translation>{count} modifiche su {total} sono state rifiutate.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="254"/>
        <source>Saved.</source>
        <translation>Salvato.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="275"/>
        <source>Project:</source>
        <translation>Progetto:</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="301"/>
        <source>Add an email account</source>
        <translation>Aggiungi un account email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="316"/>
        <location filename="../../ui/admin/settings_pages.py" line="319"/>
        <source>default for the security</source>
        <translation>predefinita per la sicurezza scelta</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="325"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="326"/>
        <source>Email address</source>
        <translation>Indirizzo email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="327"/>
        <source>Username</source>
        <translation>Nome utente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="329"/>
        <source>Password (kept in the keyring)</source>
        <translation>Password (conservata nel portachiavi)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="332"/>
        <source>Service</source>
        <translation>Servizio</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="333"/>
        <source>IMAP host</source>
        <translation>Server IMAP</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="334"/>
        <source>IMAP port</source>
        <translation>Porta IMAP</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="336"/>
        <source>IMAP security</source>
        <translation>Sicurezza IMAP</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="338"/>
        <source>SMTP host</source>
        <translation>Server SMTP</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="339"/>
        <source>SMTP port</source>
        <translation>Porta SMTP</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="341"/>
        <source>SMTP security</source>
        <translation>Sicurezza SMTP</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="422"/>
        <source>never</source>
        <translation>mai</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="433"/>
        <source>Not signed in: run “relaydesk account signin {name}”.</source>
        <translation>Accesso non effettuato: esegui «relaydesk account signin {name}».</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="440"/>
        <source>Signed in; the token expires in {minutes} min, last refreshed {when}.</source>
        <translation>Accesso effettuato; il token scade tra {minutes} min, ultimo rinnovo {when}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="446"/>
        <source>Last successful fetch: {when}.</source>
        <translation>Ultimo scaricamento riuscito: {when}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="452"/>
        <source>Last error: {error}</source>
        <translation>Ultimo errore: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="461"/>
        <source>This account has no IMAP or SMTP server to check.</source>
        <translation>Questo account non ha un server IMAP o SMTP da verificare.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="479"/>
        <source>&amp;Add…</source>
        <translation>&amp;Aggiungi…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="482"/>
        <source>&amp;Verify connection</source>
        <translation>&amp;Verifica connessione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="575"/>
        <source>Connecting to {account}…</source>
        <translation>Connessione a {account}…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="618"/>
        <source>Switch &amp;role of the selected agent</source>
        <translation>Cambia il &amp;ruolo dell&apos;agente selezionato</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="630"/>
        <source>Agent</source>
        <translation>Agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="631"/>
        <source>Role</source>
        <translation>Ruolo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="632"/>
        <location filename="../../ui/admin/settings_pages.py" line="682"/>
        <source>Accounts</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="639"/>
        <source>name</source>
        <translation>nome</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="643"/>
        <source>password (8 characters or more)</source>
        <translation>password (almeno 8 caratteri)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="645"/>
        <source>Supervisor</source>
        <translation>Supervisore</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="649"/>
        <source>Add &amp;agent</source>
        <translation>Aggiungi &amp;agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="655"/>
        <source>queue name</source>
        <translation>nome della coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="659"/>
        <source>language (it, pt-br…), empty: none</source>
        <translation>lingua (it, pt-br…), vuoto: nessuna</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="662"/>
        <source>Add &amp;queue</source>
        <translation>Aggiungi &amp;coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="668"/>
        <source>new name</source>
        <translation>nuovo nome</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="669"/>
        <source>Re&amp;name</source>
        <translation>Ri&amp;nomina</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="676"/>
        <source>New agent</source>
        <translation>Nuovo agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="678"/>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="686"/>
        <source>New queue</source>
        <translation>Nuova coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="688"/>
        <source>Language</source>
        <translation>Lingua</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="695"/>
        <source>Rename queue</source>
        <translation>Rinomina coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="704"/>
        <source>Agents × queues (tick: member)</source>
        <translation>Agenti × code (spunta: membro)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="709"/>
        <source>Agents × accounts (tick: works the account)</source>
        <translation>Agenti × account (spunta: lavora sull&apos;account)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="802"/>
        <source>{agent} is now in {queue}.</source>
        <translation>{agent} ora è in {queue}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="806"/>
        <source>{agent} left {queue}.</source>
        <translation>{agent} ha lasciato {queue}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="824"/>
        <source>{agent} now works {account}.</source>
        <translation>{agent} ora lavora su {account}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="828"/>
        <source>{agent} no longer works {account}.</source>
        <translation>{agent} non lavora più su {account}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="839"/>
        <source>Select an agent in the list first.</source>
        <translation>Seleziona prima un agente nell&apos;elenco.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="849"/>
        <source>{agent} is now a {role}.</source>
        <translation>{agent} ora è {role}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="871"/>
        <source>Agent {name} added.</source>
        <translation>Agente {name} aggiunto.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="885"/>
        <source>Queue {name} added.</source>
        <translation>Coda {name} aggiunta.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="901"/>
        <source>Queue renamed to {name}.</source>
        <translation>Coda rinominata in {name}.</translation>
    </message>
</context>
<context>
    <name>AgentDesk</name>
    <message>
        <location filename="../../ui/agent_desk.py" line="63"/>
        <source>Sign in</source>
        <translation>Accedi</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="70"/>
        <source>&lt;b&gt;Sign in to take interactions&lt;/b&gt;</source>
        <translation>&lt;b&gt;Accedi per prendere le interazioni&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="71"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="72"/>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="78"/>
        <location filename="../../ui/agent_desk.py" line="214"/>
        <source>Select an interaction, or take the next one.</source>
        <translation>Seleziona un&apos;interazione, o prendi la successiva.</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="80"/>
        <source>Accept</source>
        <translation>Accetta</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="82"/>
        <source>Next</source>
        <translation>Successiva</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="84"/>
        <source>Release</source>
        <translation>Rilascia</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="86"/>
        <source>Transfer…</source>
        <translation>Trasferisci…</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="88"/>
        <source>Reply</source>
        <translation>Rispondi</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="90"/>
        <source>Reply all</source>
        <translation>Rispondi a tutti</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="92"/>
        <source>Forward</source>
        <translation>Inoltra</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="94"/>
        <source>New email</source>
        <translation>Nuova email</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="104"/>
        <source>Write</source>
        <translation>Scrivi</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="105"/>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="106"/>
        <source>Disposition</source>
        <translation>Esito</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="108"/>
        <source>Customer</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="173"/>
        <source>Signed in as {name}</source>
        <translation>Accesso eseguito come {name}</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="216"/>
        <source>Closed.</source>
        <translation>Chiusa.</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="218"/>
        <source>You hold this interaction.</source>
        <translation>Questa interazione è tua.</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="220"/>
        <source>Held by {agent}.</source>
        <translation>Assegnata a {agent}.</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="222"/>
        <source>Waiting in the queue: accept it to work on it.</source>
        <translation>In attesa nella coda: accettala per lavorarci.</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="287"/>
        <source>Nothing is waiting for you.</source>
        <translation>Nulla è in attesa per te.</translation>
    </message>
</context>
<context>
    <name>CheatSheet</name>
    <message>
        <location filename="../../ui/shortcuts.py" line="270"/>
        <source>Keyboard shortcuts</source>
        <translation>Scorciatoie da tastiera</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="274"/>
        <source>Action</source>
        <translation>Azione</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="274"/>
        <source>Keys</source>
        <translation>Tasti</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="274"/>
        <source>What it does</source>
        <translation>Cosa fa</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="290"/>
        <source>Press F1 or Ctrl+/ to open this list again.</source>
        <translation>Premi F1 o Ctrl+/ per riaprire questo elenco.</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../ui/composer.py" line="108"/>
        <source>name@example.com, …</source>
        <translation>nome@esempio.it, …</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="110"/>
        <source>From</source>
        <translation>Da</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="111"/>
        <source>To</source>
        <translation>A</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="112"/>
        <source>Cc</source>
        <translation>Cc</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="113"/>
        <source>Bcc</source>
        <translation>Ccn</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="114"/>
        <source>Subject</source>
        <translation>Oggetto</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="115"/>
        <source>Template</source>
        <translation>Modello</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="118"/>
        <source>Write your answer…</source>
        <translation>Scrivi la tua risposta…</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="123"/>
        <source>Search canned answers</source>
        <translation>Cerca nelle risposte predefinite</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="127"/>
        <source>Insert</source>
        <translation>Inserisci</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="136"/>
        <source>Canned answers</source>
        <translation>Risposte predefinite</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="143"/>
        <source>Attach files…</source>
        <translation>Allega file…</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="145"/>
        <source>Remove</source>
        <translation>Rimuovi</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="148"/>
        <source>Preview</source>
        <translation>Anteprima</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="149"/>
        <source>The message as the customer will get it</source>
        <translation>Il messaggio come lo riceverà il cliente</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="154"/>
        <source>Send</source>
        <translation>Invia</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="156"/>
        <source>Discard draft</source>
        <translation>Elimina bozza</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="175"/>
        <source>Undo</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="372"/>
        <source>Reply</source>
        <translation>Rispondi</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="373"/>
        <source>Reply all</source>
        <translation>Rispondi a tutti</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="374"/>
        <source>Forward</source>
        <translation>Inoltra</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="375"/>
        <source>New email</source>
        <translation>Nuova email</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="297"/>
        <source>Loading…</source>
        <translation>Caricamento…</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="336"/>
        <source>No template</source>
        <translation>Nessun modello</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="353"/>
        <source>Draft restored (saved {time}).</source>
        <translation>Bozza ripristinata (salvata alle {time}).</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="478"/>
        <source>Draft discarded.</source>
        <translation>Bozza eliminata.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="506"/>
        <source>account</source>
        <translation>account</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="506"/>
        <source>global</source>
        <translation>globale</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="536"/>
        <source>Attach files</source>
        <translation>Allega file</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="640"/>
        <source>Choose the account to send from.</source>
        <translation>Scegli l&apos;account da cui inviare.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="704"/>
        <location filename="../../ui/composer.py" line="719"/>
        <source>Handed to the outbox.</source>
        <translation>Consegnata alla posta in uscita.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="721"/>
        <source>Sending in {n} s</source>
        <translation>Invio tra {n} s</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="754"/>
        <source>Not sent: the message is back in the composer.</source>
        <translation>Non inviata: il messaggio è tornato nell&apos;editor.</translation>
    </message>
</context>
<context>
    <name>ContentPage</name>
    <message>
        <location filename="../../ui/admin/content_page.py" line="66"/>
        <source>New &amp;template</source>
        <translation>Nuovo &amp;modello</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="69"/>
        <source>New &amp;canned answer</source>
        <translation>Nuova &amp;risposta predefinita</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="82"/>
        <source>&amp;Save</source>
        <translation>&amp;Salva</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="95"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="96"/>
        <source>Subject</source>
        <translation>Oggetto</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="97"/>
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="98"/>
        <source>Text</source>
        <translation>Testo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="100"/>
        <source>Preview on sample data</source>
        <translation>Anteprima su dati di esempio</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="123"/>
        <source>new disposition</source>
        <translation>nuovo esito</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="127"/>
        <source>Add &amp;disposition</source>
        <translation>Aggiungi &amp;esito</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="130"/>
        <source>Dispositions</source>
        <translation>Esiti</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="163"/>
        <source>Every account</source>
        <translation>Tutti gli account</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="176"/>
        <source>Template</source>
        <translation>Modello</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="178"/>
        <source>Canned answer</source>
        <translation>Risposta predefinita</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="260"/>
        <source>Saved.</source>
        <translation>Salvato.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="281"/>
        <source>Disposition {name} added.</source>
        <translation>Esito {name} aggiunto.</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../ui/crash_dialog.py" line="59"/>
        <source>Relaydesk: internal error</source>
        <translation>Relaydesk: errore interno</translation>
    </message>
    <message>
        <location filename="../../ui/crash_dialog.py" line="62"/>
        <source>Relaydesk hit an internal error and keeps running; what you were doing may not have finished. Please send the crash report to your IT support.</source>
        <translation>Relaydesk ha incontrato un errore interno e continua a funzionare; ciò che stavi facendo potrebbe non essere stato completato. Invia il rapporto dell&apos;errore al supporto IT.</translation>
    </message>
    <message>
        <location filename="../../ui/crash_dialog.py" line="66"/>
        <source>Crash report: {path}</source>
        <translation>Rapporto dell&apos;errore: {path}</translation>
    </message>
    <message>
        <location filename="../../ui/crash_dialog.py" line="69"/>
        <source>Open crash report</source>
        <translation>Apri il rapporto dell&apos;errore</translation>
    </message>
</context>
<context>
    <name>CustomerPanel</name>
    <message>
        <location filename="../../ui/customer_panel.py" line="42"/>
        <source>Save contact</source>
        <translation>Salva contatto</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="54"/>
        <source>Customer</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="55"/>
        <source>Addresses</source>
        <translation>Indirizzi</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="56"/>
        <source>Phone</source>
        <translation>Telefono</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="57"/>
        <source>Company</source>
        <translation>Azienda</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="96"/>
        <source>(no name)</source>
        <translation>(senza nome)</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="102"/>
        <source>Asked for no more automatic mail.</source>
        <translation>Ha chiesto di non ricevere più posta automatica.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="104"/>
        <source>Not saved as a contact.</source>
        <translation>Non salvato come contatto.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="108"/>
        <source>Other conversations ({count}), newest first:</source>
        <translation>Altre conversazioni ({count}), dalla più recente:</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="113"/>
        <source>No other conversations.</source>
        <translation>Nessun&apos;altra conversazione.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="119"/>
        <source>Account {account}</source>
        <translation>Account {account}</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="146"/>
        <source>Saved.</source>
        <translation>Salvato.</translation>
    </message>
</context>
<context>
    <name>DispositionPanel</name>
    <message>
        <location filename="../../ui/disposition_panel.py" line="50"/>
        <source>Dispose</source>
        <translation>Registra esito</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="52"/>
        <source>Close interaction</source>
        <translation>Chiudi interazione</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="53"/>
        <source>Close: done with this customer&apos;s request</source>
        <translation>Chiudi: la richiesta del cliente è conclusa</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="63"/>
        <source>Disposition</source>
        <translation>Esito</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="104"/>
        <source>No interaction selected.</source>
        <translation>Nessuna interazione selezionata.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="110"/>
        <location filename="../../ui/disposition_panel.py" line="170"/>
        <source>Disposition: {name}</source>
        <translation>Esito: {name}</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="112"/>
        <source>Not disposed yet.</source>
        <translation>Esito non ancora registrato.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="115"/>
        <source>Account {account} requires a disposition before closing.</source>
        <translation>L&apos;account {account} richiede un esito prima della chiusura.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="132"/>
        <source>— choose —</source>
        <translation>— scegli —</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="154"/>
        <source>You are paused while you dispose; no new offers until you close.</source>
        <translation>Sei in pausa mentre registri l&apos;esito; nessuna nuova offerta finché non chiudi.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="161"/>
        <source>Choose a disposition from the list first.</source>
        <translation>Scegli prima un esito dall&apos;elenco.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="171"/>
        <source>Disposed as {name}.</source>
        <translation>Esito registrato: {name}.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="182"/>
        <source>Closed.</source>
        <translation>Chiusa.</translation>
    </message>
</context>
<context>
    <name>InteractionListModel</name>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="68"/>
        <source>Status</source>
        <translation>Stato</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="69"/>
        <source>Lock</source>
        <translation>Assegnata a</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="70"/>
        <source>Customer</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="71"/>
        <source>Subject</source>
        <translation>Oggetto</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="72"/>
        <source>Language</source>
        <translation>Lingua</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="73"/>
        <source>Queue</source>
        <translation>Coda</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="74"/>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="75"/>
        <source>Tags</source>
        <translation>Etichette</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="76"/>
        <source>Last activity</source>
        <translation>Ultima attività</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="77"/>
        <source>Waiting</source>
        <translation>In attesa</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="186"/>
        <source>Loading…</source>
        <translation>Caricamento…</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="188"/>
        <source>Open</source>
        <translation>Aperta</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="188"/>
        <source>Closed</source>
        <translation>Chiusa</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="191"/>
        <source>{days}d {hours}h</source>
        <translation>{days}g {hours}h</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="192"/>
        <source>{hours}h {minutes:02d}m</source>
        <translation>{hours}h {minutes:02d}m</translation>
    </message>
    <message>
        <location filename="../../ui/models/interaction_list.py" line="193"/>
        <source>{minutes}m</source>
        <translation>{minutes}m</translation>
    </message>
</context>
<context>
    <name>MailHealthLabel</name>
    <message>
        <location filename="../../ui/status_bar.py" line="17"/>
        <source>Mail worker stopped: {error}</source>
        <translation>Il servizio di posta si è fermato: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="26"/>
        <source>{account}: {error}</source>
        <translation>{account}: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="32"/>
        <source>{count} more mailboxes failing</source>
        <translation>Altre {count} caselle in errore</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="41"/>
        <source>Connecting to the mailboxes…</source>
        <translation>Connessione alle caselle di posta…</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="45"/>
        <source>{account}: no fetch for over 15 minutes</source>
        <translation>{account}: nessuno scaricamento da oltre 15 minuti</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="53"/>
        <source>Mailboxes connected · fetched {time}</source>
        <translation>Caselle connesse · scaricate alle {time}</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="59"/>
        <source>Outbox: {count} waiting</source>
        <translation>Posta in uscita: {count} in attesa</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="65"/>
        <source>Outbox: {count} need attention</source>
        <translation>Posta in uscita: {count} da controllare</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="85"/>
        <source>fetching</source>
        <translation>scaricamento in corso</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="59"/>
        <source>Relaydesk</source>
        <translation>Relaydesk</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="70"/>
        <source>Actions</source>
        <translation>Azioni</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="120"/>
        <source>Filter by customer or subject (Ctrl+F)</source>
        <translation>Filtra per cliente o oggetto (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="178"/>
        <source>Opening the store…</source>
        <translation>Apertura dell&apos;archivio…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="284"/>
        <source>No email yet. Add an email account with “relaydesk account add”, then fetch with “relaydesk fetch”.</source>
        <translation>Ancora nessuna email. Aggiungi un account email con “relaydesk account add”, poi scarica la posta con “relaydesk fetch”.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="290"/>
        <source>No interactions match “{text}”.</source>
        <translation>Nessuna interazione corrisponde a “{text}”.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="292"/>
        <source>{count} interactions · store {path}</source>
        <translation>{count} interazioni · archivio {path}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="310"/>
        <source>The list could not be loaded: {error}</source>
        <translation>Impossibile caricare l&apos;elenco: {error}</translation>
    </message>
</context>
<context>
    <name>MessageCard</name>
    <message>
        <location filename="../../ui/thread_view.py" line="177"/>
        <source>Remote images in this message are blocked to protect your privacy.</source>
        <translation>Le immagini remote di questo messaggio sono bloccate per proteggere la tua privacy.</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="180"/>
        <source>Show remote addresses</source>
        <translation>Mostra gli indirizzi remoti</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="199"/>
        <source>Automatic</source>
        <translation>Automatico</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="202"/>
        <source>Read the message in another charset if it looks garbled</source>
        <translation>Leggi il messaggio con un&apos;altra codifica se appare illeggibile</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="204"/>
        <source>View source</source>
        <translation>Mostra sorgente</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="207"/>
        <source>Charset:</source>
        <translation>Codifica:</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="245"/>
        <source>To: {to}</source>
        <translation>A: {to}</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="247"/>
        <source>Cc: {cc}</source>
        <translation>Cc: {cc}</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="253"/>
        <source>This message could not be read; its raw source is kept.</source>
        <translation>Impossibile leggere questo messaggio; il sorgente originale è conservato.</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="278"/>
        <source>This file type can run programs on this computer.</source>
        <translation>Questo tipo di file può eseguire programmi su questo computer.</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="279"/>
        <source>Open</source>
        <translation>Apri</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="280"/>
        <source>Save…</source>
        <translation>Salva…</translation>
    </message>
</context>
<context>
    <name>MonitoringPage</name>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="34"/>
        <source>Available</source>
        <translation>Disponibile</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="35"/>
        <source>Paused</source>
        <translation>In pausa</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="36"/>
        <source>Logged out</source>
        <translation>Disconnesso</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="37"/>
        <source>In email</source>
        <translation>In un&apos;email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="60"/>
        <source>never</source>
        <translation>mai</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="61"/>
        <source>{time} ago</source>
        <translation>{time} fa</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="85"/>
        <source>Agent</source>
        <translation>Agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="86"/>
        <source>State</source>
        <translation>Stato</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="87"/>
        <source>Time in state</source>
        <translation>Tempo nello stato</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="88"/>
        <source>Current interaction</source>
        <translation>Interazione attuale</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="89"/>
        <source>Holding</source>
        <translation>In carico</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="90"/>
        <location filename="../../ui/admin/monitoring.py" line="109"/>
        <source>Handled today</source>
        <translation>Gestite oggi</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="91"/>
        <source>In email today</source>
        <translation>In email oggi</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="104"/>
        <source>Queue</source>
        <translation>Coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="105"/>
        <source>Project</source>
        <translation>Progetto</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="106"/>
        <location filename="../../ui/admin/monitoring.py" line="120"/>
        <source>Waiting</source>
        <translation>In attesa</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="107"/>
        <source>Oldest waiting</source>
        <translation>Attesa più lunga</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="108"/>
        <source>Offered today</source>
        <translation>Offerte oggi</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="110"/>
        <source>SLA at risk</source>
        <translation>SLA a rischio</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="117"/>
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="118"/>
        <source>Active</source>
        <translation>Attivo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="119"/>
        <source>Open</source>
        <translation>Aperte</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="121"/>
        <source>Last fetch</source>
        <translation>Ultimo scaricamento</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="122"/>
        <source>Fetch error</source>
        <translation>Errore di scaricamento</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="127"/>
        <source>yes</source>
        <translation>sì</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="129"/>
        <source>no</source>
        <translation>no</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="137"/>
        <source>Open as &amp;wallboard</source>
        <translation>Apri come &amp;tabellone</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="169"/>
        <source>Relaydesk wallboard</source>
        <translation>Tabellone Relaydesk</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="240"/>
        <source>{in_email} agents in email ({total} today) · {waiting} waiting · updated {time}</source>
        <translation>{in_email} agenti in email ({total} oggi) · {waiting} in attesa · aggiornato alle {time}</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="255"/>
        <source>Monitoring could not be read: {error} (retrying)</source>
        <translation>Impossibile leggere il monitoraggio: {error} (nuovo tentativo in corso)</translation>
    </message>
</context>
<context>
    <name>NavigationPane</name>
    <message>
        <location filename="../../ui/navigation.py" line="35"/>
        <source>Available</source>
        <translation>Disponibile</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="36"/>
        <source>Paused</source>
        <translation>In pausa</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="37"/>
        <source>Logged out</source>
        <translation>Disconnesso</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="38"/>
        <source>In an email</source>
        <translation>In un&apos;email</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="42"/>
        <source>Break</source>
        <translation>Pausa breve</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="43"/>
        <source>Lunch</source>
        <translation>Pranzo</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="44"/>
        <source>Meeting</source>
        <translation>Riunione</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="45"/>
        <source>Training</source>
        <translation>Formazione</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="46"/>
        <source>Back-office work</source>
        <translation>Lavoro di back office</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="82"/>
        <source>Accounts and queues</source>
        <translation>Account e code</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="82"/>
        <source>Unread</source>
        <translation>Non lette</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="82"/>
        <source>Waiting</source>
        <translation>In attesa</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="84"/>
        <source>Open interactions not read yet</source>
        <translation>Interazioni aperte non ancora lette</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="85"/>
        <source>Open interactions nobody has accepted</source>
        <translation>Interazioni aperte che nessuno ha accettato</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="99"/>
        <source>Your state: only available agents are offered new email</source>
        <translation>Il tuo stato: le nuove email sono offerte solo agli agenti disponibili</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="107"/>
        <source>Why you pause (your supervisor sees it)</source>
        <translation>Perché sei in pausa (il supervisore lo vede)</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="114"/>
        <source>My state</source>
        <translation>Il mio stato</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="116"/>
        <source>State</source>
        <translation>Stato</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="117"/>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="204"/>
        <source>Sign in to take work.</source>
        <translation>Accedi per ricevere lavoro.</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="216"/>
        <source>{state} ({reason}) since {time}</source>
        <translation>{state} ({reason}) dalle {time}</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="220"/>
        <source>{state} since {time}</source>
        <translation>{state} dalle {time}</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="285"/>
        <source>All interactions</source>
        <translation>Tutte le interazioni</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="291"/>
        <source>Project {key}</source>
        <translation>Progetto {key}</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="301"/>
        <source>Account {name}</source>
        <translation>Account {name}</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="306"/>
        <source>Queue {name}</source>
        <translation>Coda {name}</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="352"/>
        <source>Say why you pause: choose or type a reason.</source>
        <translation>Indica perché vai in pausa: scegli o scrivi un motivo.</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="354"/>
        <source>Changing your state…</source>
        <translation>Cambio dello stato…</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="362"/>
        <source>Your state did not change: {reason}</source>
        <translation>Il tuo stato non è cambiato: {reason}</translation>
    </message>
</context>
<context>
    <name>NoteCard</name>
    <message>
        <location filename="../../ui/thread_view.py" line="315"/>
        <source>Internal note · {agent} · {when}</source>
        <translation>Nota interna · {agent} · {when}</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="316"/>
        <source>unknown agent</source>
        <translation>agente sconosciuto</translation>
    </message>
</context>
<context>
    <name>NotificationBar</name>
    <message>
        <location filename="../../ui/notifications.py" line="79"/>
        <source>Open</source>
        <translation>Apri</translation>
    </message>
    <message>
        <location filename="../../ui/notifications.py" line="80"/>
        <source>Show the newest offered interaction</source>
        <translation>Mostra l&apos;ultima interazione offerta</translation>
    </message>
    <message>
        <location filename="../../ui/notifications.py" line="85"/>
        <source>Dismiss (Esc)</source>
        <translation>Ignora (Esc)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/notifications.py" line="120"/>
        <source>(and %n more)</source>
        <translation>
            <numerusform>(e ancora %n)</numerusform>
            <numerusform>(e altre %n)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Notifications</name>
    <message>
        <location filename="../../ui/notifications.py" line="137"/>
        <source>New email for {account}</source>
        <translation>Nuova email per {account}</translation>
    </message>
    <message>
        <location filename="../../ui/notifications.py" line="146"/>
        <source>{customer}: {subject}</source>
        <translation>{customer}: {subject}</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="34"/>
        <source>Email log</source>
        <translation>Registro email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="35"/>
        <source>Ticket list</source>
        <translation>Elenco ticket</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="36"/>
        <source>Agent statistics</source>
        <translation>Statistiche agenti</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="53"/>
        <source>The period ends before it starts: choose a later “to” date.</source>
        <translation>Il periodo finisce prima di iniziare: scegli una data «a» successiva.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="97"/>
        <source>Include emails linked to tickets</source>
        <translation>Includi le email collegate ai ticket</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="99"/>
        <source>&amp;Show</source>
        <translation>&amp;Mostra</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="103"/>
        <source>Filter rows…</source>
        <translation>Filtra le righe…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="105"/>
        <source>BOM for spreadsheets</source>
        <translation>BOM per i fogli di calcolo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="106"/>
        <source>&amp;Export CSV…</source>
        <translation>&amp;Esporta CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="127"/>
        <source>from</source>
        <translation>da</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="129"/>
        <source>to</source>
        <translation>a</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="153"/>
        <source>Reading…</source>
        <translation>Lettura…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="171"/>
        <source>{count} rows.</source>
        <translation>{count} righe.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="173"/>
        <source>Nothing in this period: choose an earlier “from” date.</source>
        <translation>Nulla in questo periodo: scegli una data «da» precedente.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="190"/>
        <source>Export CSV</source>
        <translation>Esporta CSV</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="192"/>
        <source>CSV files (*.csv)</source>
        <translation>File CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="199"/>
        <source>Exporting…</source>
        <translation>Esportazione…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="209"/>
        <source>{count} rows written to {path}.</source>
        <translation>{count} righe scritte in {path}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="217"/>
        <source>The CSV could not be written: {error}</source>
        <translation>Impossibile scrivere il CSV: {error}</translation>
    </message>
</context>
<context>
    <name>SettingsForm</name>
    <message>
        <location filename="../../ui/admin/forms.py" line="62"/>
        <source>Locked by your IT policy</source>
        <translation>Bloccata dalla policy IT</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <location filename="../../ui/shortcuts.py" line="46"/>
        <source>&amp;Interaction</source>
        <translation>&amp;Interazione</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="47"/>
        <source>&amp;Message</source>
        <translation>&amp;Messaggio</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="48"/>
        <source>&amp;View</source>
        <translation>&amp;Visualizza</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="49"/>
        <source>&amp;Help</source>
        <translation>&amp;Aiuto</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="55"/>
        <source>&amp;Accept</source>
        <translation>&amp;Accetta</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="57"/>
        <source>Take the selected interaction: nobody else works on it</source>
        <translation>Prendi l&apos;interazione selezionata: nessun altro ci lavorerà</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="63"/>
        <source>&amp;Next email</source>
        <translation>Email &amp;successiva</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="65"/>
        <source>Accept the oldest interaction waiting for you</source>
        <translation>Accetta l&apos;interazione più vecchia in attesa per te</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="71"/>
        <source>Re&amp;lease</source>
        <translation>Ri&amp;lascia</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="73"/>
        <source>Give the interaction back to its queue</source>
        <translation>Restituisci l&apos;interazione alla sua coda</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="78"/>
        <source>&amp;Transfer…</source>
        <translation>&amp;Trasferisci…</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="80"/>
        <source>Hand the interaction to another queue or agent</source>
        <translation>Passa l&apos;interazione a un&apos;altra coda o a un altro agente</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="86"/>
        <source>&amp;Disposition…</source>
        <translation>&amp;Esito…</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="88"/>
        <source>Record how the interaction ended</source>
        <translation>Registra come si è conclusa l&apos;interazione</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="93"/>
        <source>&amp;Close interaction</source>
        <translation>&amp;Chiudi interazione</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="95"/>
        <source>Close the interaction (after its disposition)</source>
        <translation>Chiudi l&apos;interazione (dopo averne registrato l&apos;esito)</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="101"/>
        <source>Mark &amp;unread</source>
        <translation>Segna come &amp;non letta</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="103"/>
        <source>Show the interaction as unread again</source>
        <translation>Mostra di nuovo l&apos;interazione come non letta</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="108"/>
        <source>Ta&amp;gs…</source>
        <translation>Etic&amp;hette…</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="110"/>
        <source>Add or remove the interaction&apos;s tags</source>
        <translation>Aggiungi o togli le etichette dell&apos;interazione</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="115"/>
        <source>&amp;Reply</source>
        <translation>&amp;Rispondi</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="117"/>
        <source>Answer the customer</source>
        <translation>Rispondi al cliente</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="123"/>
        <source>Reply &amp;all</source>
        <translation>Rispondi a &amp;tutti</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="125"/>
        <source>Answer the customer and everyone else on the message</source>
        <translation>Rispondi al cliente e a tutti gli altri destinatari</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="131"/>
        <source>&amp;Forward</source>
        <translation>&amp;Inoltra</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="133"/>
        <source>Send the message on to someone else</source>
        <translation>Inoltra il messaggio a qualcun altro</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="139"/>
        <source>&amp;Send</source>
        <translation>In&amp;via</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="141"/>
        <source>Send what you wrote (it can still be undone for a moment)</source>
        <translation>Invia ciò che hai scritto (per qualche istante si può ancora annullare)</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="146"/>
        <source>&amp;Search</source>
        <translation>&amp;Cerca</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="148"/>
        <source>Filter the list by customer or subject</source>
        <translation>Filtra l&apos;elenco per cliente o oggetto</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="153"/>
        <source>Go to &amp;accounts and queues</source>
        <translation>Vai ad &amp;account e code</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="155"/>
        <source>Move the focus to the left pane</source>
        <translation>Sposta il focus sul riquadro di sinistra</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="160"/>
        <source>Go to the &amp;list</source>
        <translation>Vai all&apos;&amp;elenco</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="162"/>
        <source>Move the focus to the interaction list</source>
        <translation>Sposta il focus sull&apos;elenco delle interazioni</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="167"/>
        <source>Go to the &amp;thread</source>
        <translation>Vai alla c&amp;onversazione</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="169"/>
        <source>Move the focus to the reading pane</source>
        <translation>Sposta il focus sul riquadro di lettura</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="174"/>
        <source>Change &amp;my state…</source>
        <translation>Cambia il mio &amp;stato…</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="176"/>
        <source>Choose available, paused (with a reason) or logged out</source>
        <translation>Scegli disponibile, in pausa (con un motivo) o disconnesso</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="181"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Scorciatoie da tastiera</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="183"/>
        <source>Show every keyboard shortcut</source>
        <translation>Mostra tutte le scorciatoie da tastiera</translation>
    </message>
</context>
<context>
    <name>SourceDialog</name>
    <message>
        <location filename="../../ui/thread_view.py" line="134"/>
        <source>Source of “{subject}”</source>
        <translation>Sorgente di “{subject}”</translation>
    </message>
</context>
<context>
    <name>TagDialog</name>
    <message>
        <location filename="../../ui/tag_dialog.py" line="26"/>
        <source>Tags</source>
        <translation>Etichette</translation>
    </message>
    <message>
        <location filename="../../ui/tag_dialog.py" line="37"/>
        <source>New tag</source>
        <translation>Nuova etichetta</translation>
    </message>
    <message>
        <location filename="../../ui/tag_dialog.py" line="45"/>
        <source>Tick the tags this interaction carries.</source>
        <translation>Spunta le etichette di questa interazione.</translation>
    </message>
</context>
<context>
    <name>ThreadView</name>
    <message>
        <location filename="../../ui/thread_view.py" line="361"/>
        <source>Select an interaction to read its thread.</source>
        <translation>Seleziona un&apos;interazione per leggerne la conversazione.</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="449"/>
        <source>Open a dangerous attachment?</source>
        <translation>Aprire un allegato pericoloso?</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="451"/>
        <source>“{name}” is a file type that can run programs on this computer. Open it only if you trust the sender and expected this file.</source>
        <translation>“{name}” è un tipo di file che può eseguire programmi su questo computer. Aprilo solo se ti fidi del mittente e aspettavi questo file.</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="478"/>
        <source>Save attachment</source>
        <translation>Salva allegato</translation>
    </message>
</context>
<context>
    <name>TicketPanel</name>
    <message>
        <location filename="../../ui/ticket_panel.py" line="50"/>
        <location filename="../../ui/ticket_panel.py" line="143"/>
        <source>No interaction selected.</source>
        <translation>Nessuna interazione selezionata.</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="55"/>
        <source>Save ticket</source>
        <translation>Salva ticket</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="59"/>
        <source>This interaction&apos;s ticket</source>
        <translation>Il ticket di questa interazione</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="62"/>
        <location filename="../../ui/ticket_panel.py" line="77"/>
        <source>Title</source>
        <translation>Titolo</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="63"/>
        <location filename="../../ui/ticket_panel.py" line="78"/>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="64"/>
        <source>Responsible</source>
        <translation>Responsabile</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="66"/>
        <source>Interactions on this ticket</source>
        <translation>Interazioni di questo ticket</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="71"/>
        <source>Title (the subject if empty)</source>
        <translation>Titolo (l&apos;oggetto se vuoto)</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="73"/>
        <source>Create ticket</source>
        <translation>Crea ticket</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="75"/>
        <source>New ticket from this interaction</source>
        <translation>Nuovo ticket da questa interazione</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="83"/>
        <source>Ticket number, customer or title</source>
        <translation>Numero del ticket, cliente o titolo</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="87"/>
        <source>Assign to this ticket</source>
        <translation>Assegna a questo ticket</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="93"/>
        <source>Assign to an existing ticket</source>
        <translation>Assegna a un ticket esistente</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="162"/>
        <source>(no type)</source>
        <translation>(nessun tipo)</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="166"/>
        <source>(nobody)</source>
        <translation>(nessuno)</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="171"/>
        <source>Not on a ticket yet.</source>
        <translation>Non ancora in un ticket.</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="175"/>
        <source>Ticket {number}</source>
        <translation>Ticket {number}</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="249"/>
        <source>Search for a ticket and choose it first.</source>
        <translation>Cerca prima un ticket e sceglilo.</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="282"/>
        <source>Created ticket {number}.</source>
        <translation>Ticket {number} creato.</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="284"/>
        <source>Ticket {number} saved.</source>
        <translation>Ticket {number} salvato.</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="26"/>
        <source>Transfer “{subject}”</source>
        <translation>Trasferisci “{subject}”</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="27"/>
        <source>To a queue</source>
        <translation>A una coda</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="28"/>
        <source>To an agent</source>
        <translation>A un agente</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="46"/>
        <source>Account {account} allows no transfers.</source>
        <translation>L&apos;account {account} non consente trasferimenti.</translation>
    </message>
</context>
<context>
    <name>Welcome</name>
    <message>
        <location filename="../../ui/welcome.py" line="46"/>
        <source>Welcome to Relaydesk</source>
        <translation>Benvenuto in Relaydesk</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="51"/>
        <source>Loading…</source>
        <translation>Caricamento…</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="54"/>
        <source>Create the first supervisor</source>
        <translation>Crea il primo supervisore</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="61"/>
        <source>Create and sign in</source>
        <translation>Crea e accedi</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="70"/>
        <source>Nobody can sign in to this store yet. The first person is a supervisor, who can then add agents in admin mode.</source>
        <translation>Nessuno può ancora accedere a questo archivio. La prima persona è un supervisore, che potrà poi aggiungere gli operatori in modalità amministratore.</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="75"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="76"/>
        <source>Password (8 characters or more)</source>
        <translation>Password (almeno 8 caratteri)</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="77"/>
        <source>Repeat the password</source>
        <translation>Ripeti la password</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="82"/>
        <source>Load demo data</source>
        <translation>Carica i dati dimostrativi</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="85"/>
        <source>A realistic multilingual data set (accounts, queues, agents, a few thousand conversations) to try Relaydesk without a mail server.</source>
        <translation>Un insieme di dati realistico e multilingue (account, code, operatori, qualche migliaio di conversazioni) per provare Relaydesk senza un server di posta.</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="100"/>
        <source>To work real mail, a supervisor adds an email account: admin mode (Ctrl+Shift+M) → Email accounts → Add, or “relaydesk account add”.</source>
        <translation>Per lavorare posta reale, un supervisore aggiunge un account email: modalità amministratore (Ctrl+Maiusc+M) → Account email → Aggiungi, oppure “relaydesk account add”.</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="145"/>
        <source>Give the supervisor a name.</source>
        <translation>Dai un nome al supervisore.</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="148"/>
        <source>The two passwords differ; type them again.</source>
        <translation>Le due password sono diverse; digitale di nuovo.</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="179"/>
        <source>Loading demo data…</source>
        <translation>Caricamento dei dati dimostrativi…</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="195"/>
        <source>Demo data loaded. Sign in as sam (supervisor) or giulia, password relaydesk-demo.</source>
        <translation>Dati dimostrativi caricati. Accedi come sam (supervisore) o giulia, password relaydesk-demo.</translation>
    </message>
    <message>
        <location filename="../../ui/welcome.py" line="208"/>
        <source>Loading demo data failed: {error}</source>
        <translation>Caricamento dei dati dimostrativi non riuscito: {error}</translation>
    </message>
</context>
</TS>
