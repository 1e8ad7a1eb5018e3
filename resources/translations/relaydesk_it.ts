<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="it_IT">
<context>
    <name>AccountAgents</name>
    <message>
        <location filename="../../ui/admin/account_tools.py" line="141"/>
        <source>Agents of {account}</source>
        <translation>Agenti di {account}</translation>
    </message>
    <message>
        <location filename="../../ui/admin/account_tools.py" line="159"/>
        <source>Ticked agents see and work this account&apos;s interactions (in the queues they belong to).</source>
        <translation>Gli agenti spuntati vedono e lavorano le interazioni di questo account (nelle code a cui appartengono).</translation>
    </message>
</context>
<context>
    <name>AccountsPage</name>
    <message numerus="yes">
        <location filename="../../ui/admin/settings_pages.py" line="876"/>
        <source>Delete the email account {name} ({email})? It has %n interaction(s); they stay in the reports, but no mail will be fetched or sent for this account any more.</source>
        <translation>
            <numerusform>Eliminare l&apos;account email {name} ({email})? Ha %n interazione; resta nei report, ma per questo account non verrà più scaricata né inviata posta.</numerusform>
            <numerusform>Eliminare l&apos;account email {name} ({email})? Ha %n interazioni; restano nei report, ma per questo account non verrà più scaricata né inviata posta.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ActionPlanEditor</name>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="44"/>
        <source>Route to queue</source>
        <translation>Instrada alla coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="46"/>
        <source>Queue</source>
        <translation>Coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="49"/>
        <source>Offer to agent</source>
        <translation>Offri all&apos;agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="51"/>
        <source>Agent</source>
        <translation>Agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="54"/>
        <source>Send automatic response</source>
        <translation>Invia risposta automatica</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="56"/>
        <source>Template</source>
        <translation>Modello</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="59"/>
        <location filename="../../ui/admin/action_plan_editor.py" line="61"/>
        <source>Tag</source>
        <translation>Etichetta</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="63"/>
        <source>Close</source>
        <translation>Chiudi</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="67"/>
        <source>Mon</source>
        <translation>Lun</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="68"/>
        <source>Tue</source>
        <translation>Mar</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="69"/>
        <source>Wed</source>
        <translation>Mer</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="70"/>
        <source>Thu</source>
        <translation>Gio</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="71"/>
        <source>Fri</source>
        <translation>Ven</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="72"/>
        <source>Sat</source>
        <translation>Sab</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="73"/>
        <source>Sun</source>
        <translation>Dom</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="86"/>
        <source>every day</source>
        <translation>ogni giorno</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="90"/>
        <source>no day</source>
        <translation>nessun giorno</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="98"/>
        <source>{days}, all day</source>
        <translation>{days}, tutto il giorno</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="139"/>
        <source>Action plan of {account}</source>
        <translation>Piano d&apos;azione di {account}</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="143"/>
        <source>Reading the plan…</source>
        <translation>Lettura del piano…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="149"/>
        <source>Applications, in the order they run</source>
        <translation>Applicazioni, nell&apos;ordine in cui vengono eseguite</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="152"/>
        <source>&amp;Add</source>
        <translation>&amp;Aggiungi</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="153"/>
        <source>&amp;Delete</source>
        <translation>&amp;Elimina</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="154"/>
        <source>Move &amp;up</source>
        <translation>Sposta &amp;su</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="155"/>
        <source>Move d&amp;own</source>
        <translation>Sposta &amp;giù</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="176"/>
        <source>Working hours</source>
        <translation>Orario di lavoro</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="181"/>
        <source>Add &amp;hours</source>
        <translation>Aggiungi &amp;orario</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="184"/>
        <source>Remove hours</source>
        <translation>Rimuovi orario</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="195"/>
        <source>All day</source>
        <translation>Tutto il giorno</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="202"/>
        <source>00:00 is midnight, the end of the day.</source>
        <translation>00:00 è la mezzanotte, la fine del giorno.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="206"/>
        <source>from</source>
        <translation>dalle</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="208"/>
        <source>to</source>
        <translation>alle</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="217"/>
        <source>Application</source>
        <translation>Applicazione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="219"/>
        <source>Action</source>
        <translation>Azione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="229"/>
        <source>Only during</source>
        <translation>Solo durante</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="234"/>
        <source>No fallback</source>
        <translation>Nessun ripiego</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="245"/>
        <source>When no routing, offer or close ran:</source>
        <translation>Se nessun instradamento, offerta o chiusura è stato eseguito:</translation>
    </message>
    <message>
        <location filename="../../ui/admin/action_plan_editor.py" line="295"/>
        <source>What happens to new mail in {account}: the applications run in order; routing, offering and closing end the plan. Times are in {zone}.</source>
        <translation>Cosa succede alla nuova posta di {account}: le applicazioni vengono eseguite in ordine; instradamento, offerta e chiusura concludono il piano. Gli orari sono nel fuso {zone}.</translation>
    </message>
</context>
<context>
    <name>AdminMode</name>
    <message>
        <location filename="../../ui/admin/mode.py" line="62"/>
        <source>Monitoring</source>
        <translation>Monitoraggio</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="63"/>
        <source>Reports</source>
        <translation>Report</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="64"/>
        <source>Interactions</source>
        <translation>Interazioni</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="65"/>
        <source>Email accounts</source>
        <translation>Account email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="66"/>
        <source>Email handling</source>
        <translation>Gestione email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="67"/>
        <source>Agents and queues</source>
        <translation>Agenti e code</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="70"/>
        <source>Templates and dispositions</source>
        <translation>Modelli ed esiti</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="72"/>
        <source>Contacts</source>
        <translation>Contatti</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="73"/>
        <source>Desk settings</source>
        <translation>Impostazioni della postazione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="121"/>
        <source>A&amp;dmin mode</source>
        <translation>Modalità a&amp;mministratore</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="128"/>
        <source>Admin mode ({keys})</source>
        <translation>Modalità amministratore ({keys})</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="131"/>
        <source>Settings, realtime monitoring and reports (supervisors)</source>
        <translation>Impostazioni, monitoraggio in tempo reale e report (supervisori)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="142"/>
        <source>A&amp;dmin</source>
        <translation>A&amp;mministrazione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="180"/>
        <source>Sign in first: admin mode is for signed-in supervisors.</source>
        <translation>Accedi prima: la modalità amministratore è per i supervisori che hanno effettuato l&apos;accesso.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="188"/>
        <source>Checking your role…</source>
        <translation>Verifica del tuo ruolo…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="208"/>
        <source>Admin</source>
        <translation>Amministrazione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="231"/>
        <source>Admin mode: {name} (supervisor)</source>
        <translation>Modalità amministratore: {name} (supervisore)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/mode.py" line="263"/>
        <source>Agent mode</source>
        <translation>Modalità agente</translation>
    </message>
</context>
<context>
    <name>AdminSettings</name>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="169"/>
        <source>agent</source>
        <translation>agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="170"/>
        <source>supervisor</source>
        <translation>supervisore</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="221"/>
        <source>&amp;Save</source>
        <translation>&amp;Salva</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="224"/>
        <source>&amp;Revert</source>
        <translation>&amp;Ripristina</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="267"/>
        <source>Nothing was saved: correct the fields marked above.</source>
        <translation>Non è stato salvato nulla: correggi i campi segnalati sopra.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="274"/>
        <source>Nothing has changed.</source>
        <translation>Non è cambiato nulla.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="279"/>
        <source>Saving…</source>
        <translation>Salvataggio…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="295"/>
        <source>{count} of {total} changes were refused.</source>
        <translation>{count} modifiche su {total} sono state rifiutate.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="300"/>
        <source>Saved.</source>
        <translation>Salvato.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="323"/>
        <location filename="../../ui/admin/settings_pages.py" line="660"/>
        <source>Settings</source>
        <translation>Impostazioni</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="325"/>
        <source>Ticket types</source>
        <translation>Tipi di ticket</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="328"/>
        <source>Senders and templates</source>
        <translation>Mittenti e modelli</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="332"/>
        <source>Project:</source>
        <translation>Progetto:</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="367"/>
        <source>Add an email account</source>
        <translation>Aggiungi un account email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="382"/>
        <location filename="../../ui/admin/settings_pages.py" line="385"/>
        <source>default for the security</source>
        <translation>predefinita per la sicurezza scelta</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="391"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="392"/>
        <source>Email address</source>
        <translation>Indirizzo email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="393"/>
        <source>Username</source>
        <translation>Nome utente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="395"/>
        <source>Password (kept in the keyring)</source>
        <translation>Password (conservata nel portachiavi)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="400"/>
        <source>In team mode the worker host fetches this account&apos;s mail and keeps its password: once the account is added, run relaydesk account password &lt;name&gt; --password-stdin on the worker host, or give it the systemd credential /etc/relaydesk/credentials/&lt;account id&gt;.password (docs/deploy.md).</source>
        <translation>In modalità team è l&apos;host del worker a scaricare la posta di questo account e a custodirne la password: aggiunto l&apos;account, eseguire relaydesk account password &lt;nome&gt; --password-stdin sull&apos;host del worker, oppure fornirgli la credenziale systemd /etc/relaydesk/credentials/&lt;id account&gt;.password (docs/deploy.md).</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="407"/>
        <source>Service</source>
        <translation>Servizio</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="408"/>
        <source>IMAP host</source>
        <translation>Server IMAP</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="409"/>
        <source>IMAP port</source>
        <translation>Porta IMAP</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="411"/>
        <source>IMAP security</source>
        <translation>Sicurezza IMAP</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="413"/>
        <source>SMTP host</source>
        <translation>Server SMTP</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="414"/>
        <source>SMTP port</source>
        <translation>Porta SMTP</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="416"/>
        <source>SMTP security</source>
        <translation>Sicurezza SMTP</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="520"/>
        <source>never</source>
        <translation>mai</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="528"/>
        <source>Signs in with OAuth2; the worker host keeps its tokens: run “relaydesk account signin {name}” there.</source>
        <translation>Accede con OAuth2; i token sono custoditi dall&apos;host del worker: eseguire lì «relaydesk account signin {name}».</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="533"/>
        <source>Not signed in: use “Sign in with OAuth2…” (or run “relaydesk account signin {name}”).</source>
        <translation>Accesso non effettuato: usare «Accedi con OAuth2…» (oppure eseguire «relaydesk account signin {name}»).</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="538"/>
        <source>Signed in; the token expires in {minutes} min, last refreshed {when}.</source>
        <translation>Accesso effettuato; il token scade tra {minutes} min, ultimo rinnovo {when}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="544"/>
        <source>Last successful fetch: {when}.</source>
        <translation>Ultimo scaricamento riuscito: {when}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="550"/>
        <source>Last error: {error}</source>
        <translation>Ultimo errore: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="559"/>
        <source>This account has no IMAP or SMTP server to check.</source>
        <translation>Questo account non ha un server IMAP o SMTP da verificare.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="582"/>
        <source>&amp;Add…</source>
        <translation>&amp;Aggiungi…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="585"/>
        <source>&amp;Verify connection</source>
        <translation>&amp;Verifica connessione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="590"/>
        <source>Action &amp;plan…</source>
        <translation>&amp;Piano d&apos;azione…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="594"/>
        <source>&amp;Delete…</source>
        <translation>&amp;Elimina…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="599"/>
        <source>&amp;Interactions</source>
        <translation>&amp;Interazioni</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="602"/>
        <source>&amp;Realtime view</source>
        <translation>Vista in &amp;tempo reale</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="604"/>
        <source>A&amp;gents…</source>
        <translation>A&amp;genti…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="615"/>
        <location filename="../../ui/admin/settings_pages.py" line="782"/>
        <source>Sign in with &amp;OAuth2…</source>
        <translation>Accedi con &amp;OAuth2…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="618"/>
        <source>Sign the account in with its provider in your web browser; the tokens stay in this computer&apos;s keyring.</source>
        <translation>Accede all&apos;account presso il suo provider nel browser; i token restano nel portachiavi di questo computer.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="662"/>
        <source>Protocol log</source>
        <translation>Registro del protocollo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="740"/>
        <source>Agents of the account changed ({count}).</source>
        <translation>Agenti dell&apos;account modificati ({count}).</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="761"/>
        <source>Cancel sign-in</source>
        <translation>Annulla l&apos;accesso</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="762"/>
        <source>Waiting for the sign-in in your web browser…</source>
        <translation>In attesa dell&apos;accesso nel browser…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="775"/>
        <source>Waiting for the sign-in in your web browser. If none opened, open this address: {url}</source>
        <translation>In attesa dell&apos;accesso nel browser. Se non si è aperto, aprire questo indirizzo: {url}</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="787"/>
        <source>{name} is signed in with OAuth2.</source>
        <translation>{name} ha effettuato l&apos;accesso con OAuth2.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="813"/>
        <source>Email account {name} added; on the worker host, run relaydesk account password {name} --password-stdin, or put its password in /etc/relaydesk/credentials/{id}.password.</source>
        <translation>Account email {name} aggiunto; sull&apos;host del worker eseguire relaydesk account password {name} --password-stdin, oppure metterne la password in /etc/relaydesk/credentials/{id}.password.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="832"/>
        <source>In team mode the worker host keeps this account&apos;s password: check the connection there with “relaydesk account verify {name}”.</source>
        <translation>In modalità team la password di questo account è custodita dall&apos;host del worker: verificare lì la connessione con «relaydesk account verify {name}».</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="839"/>
        <source>Connecting to {account}…</source>
        <translation>Connessione a {account}…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="878"/>
        <source>Delete email account</source>
        <translation>Elimina account email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="905"/>
        <source>Email account {name} deleted.</source>
        <translation>Account email {name} eliminato.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="939"/>
        <source>Switch &amp;role of the selected agent</source>
        <translation>Cambia il &amp;ruolo dell&apos;agente selezionato</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="951"/>
        <source>Agent</source>
        <translation>Agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="952"/>
        <source>Role</source>
        <translation>Ruolo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="953"/>
        <location filename="../../ui/admin/settings_pages.py" line="1003"/>
        <source>Accounts</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="960"/>
        <source>name</source>
        <translation>nome</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="964"/>
        <source>password (8 characters or more)</source>
        <translation>password (almeno 8 caratteri)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="966"/>
        <source>Supervisor</source>
        <translation>Supervisore</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="970"/>
        <source>Add &amp;agent</source>
        <translation>Aggiungi &amp;agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="976"/>
        <source>queue name</source>
        <translation>nome della coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="980"/>
        <source>language (it, pt-br…), empty: none</source>
        <translation>lingua (it, pt-br…), vuoto: nessuna</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="983"/>
        <source>Add &amp;queue</source>
        <translation>Aggiungi &amp;coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="989"/>
        <source>new name</source>
        <translation>nuovo nome</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="990"/>
        <source>Re&amp;name</source>
        <translation>Ri&amp;nomina</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="997"/>
        <source>New agent</source>
        <translation>Nuovo agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="999"/>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1007"/>
        <source>New queue</source>
        <translation>Nuova coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1009"/>
        <source>Language</source>
        <translation>Lingua</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1016"/>
        <source>Rename queue</source>
        <translation>Rinomina coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1025"/>
        <source>Agents × queues (tick: member)</source>
        <translation>Agenti × code (spunta: membro)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1030"/>
        <source>Agents × accounts (tick: works the account)</source>
        <translation>Agenti × account (spunta: lavora sull&apos;account)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1137"/>
        <source>{agent} is now in {queue}.</source>
        <translation>{agent} ora è in {queue}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1141"/>
        <source>{agent} left {queue}.</source>
        <translation>{agent} ha lasciato {queue}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1156"/>
        <source>{agent} now works {account}.</source>
        <translation>{agent} ora lavora su {account}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1160"/>
        <source>{agent} no longer works {account}.</source>
        <translation>{agent} non lavora più su {account}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1170"/>
        <source>Select an agent in the list first.</source>
        <translation>Seleziona prima un agente nell&apos;elenco.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1177"/>
        <source>{agent} is now a {role}.</source>
        <translation>{agent} ora è {role}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1204"/>
        <source>Agent {name} added.</source>
        <translation>Agente {name} aggiunto.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1215"/>
        <source>Queue {name} added.</source>
        <translation>Coda {name} aggiunta.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_pages.py" line="1228"/>
        <source>Queue renamed to {name}.</source>
        <translation>Coda rinominata in {name}.</translation>
    </message>
</context>
<context>
    <name>AgentDesk</name>
    <message>
        <location filename="../../ui/agent_desk.py" line="70"/>
        <source>Sign in</source>
        <translation>Accedi</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="77"/>
        <source>&lt;b&gt;Sign in to take interactions&lt;/b&gt;</source>
        <translation>&lt;b&gt;Accedi per prendere le interazioni&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="78"/>
        <location filename="../../ui/agent_desk.py" line="345"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="80"/>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="86"/>
        <location filename="../../ui/agent_desk.py" line="238"/>
        <location filename="../../ui/agent_desk.py" line="276"/>
        <source>Select an interaction, or take the next one.</source>
        <translation>Seleziona un&apos;interazione, o prendi la successiva.</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="88"/>
        <source>Accept</source>
        <translation>Accetta</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="90"/>
        <source>Next</source>
        <translation>Successiva</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="92"/>
        <source>Release</source>
        <translation>Rilascia</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="94"/>
        <source>Transfer…</source>
        <translation>Trasferisci…</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="96"/>
        <source>Reply</source>
        <translation>Rispondi</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="98"/>
        <source>Reply all</source>
        <translation>Rispondi a tutti</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="100"/>
        <source>Forward</source>
        <translation>Inoltra</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="102"/>
        <source>New email</source>
        <translation>Nuova email</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="104"/>
        <source>Sign out</source>
        <translation>Esci</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="114"/>
        <source>Write</source>
        <translation>Scrivi</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="115"/>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="116"/>
        <source>Disposition</source>
        <translation>Esito</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="118"/>
        <source>Customer</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="199"/>
        <source>Signed in as {name}</source>
        <translation>Accesso eseguito come {name}</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="278"/>
        <source>Closed.</source>
        <translation>Chiusa.</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="280"/>
        <source>You hold this interaction.</source>
        <translation>Questa interazione è tua.</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="282"/>
        <source>Held by {agent}.</source>
        <translation>Assegnata a {agent}.</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="284"/>
        <source>Waiting in the queue: accept it to work on it.</source>
        <translation>In attesa nella coda: accettala per lavorarci.</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="334"/>
        <source>Sent; waiting for the central database…</source>
        <translation>Inviata; in attesa del database centrale…</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="348"/>
        <source>Database role</source>
        <translation>Ruolo del database</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="349"/>
        <source>rd_yourname</source>
        <translation>rd_tuonome</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="350"/>
        <source>The password of your database role</source>
        <translation>La password del tuo ruolo del database</translation>
    </message>
    <message>
        <location filename="../../ui/agent_desk.py" line="376"/>
        <source>Nothing is waiting for you.</source>
        <translation>Nulla è in attesa per te.</translation>
    </message>
</context>
<context>
    <name>Chart</name>
    <message>
        <location filename="../../ui/charts.py" line="74"/>
        <source>{title}: nothing to show.</source>
        <translation>{title}: nulla da mostrare.</translation>
    </message>
    <message>
        <location filename="../../ui/charts.py" line="90"/>
        <source>; and {count} more.</source>
        <translation>; e altri {count}.</translation>
    </message>
    <message>
        <location filename="../../ui/charts.py" line="224"/>
        <source>Nothing to chart yet.</source>
        <translation>Ancora nessun dato da rappresentare.</translation>
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
        <location filename="../../ui/composer.py" line="124"/>
        <source>name@example.com, …</source>
        <translation>nome@esempio.it, …</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="126"/>
        <source>From</source>
        <translation>Da</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="127"/>
        <source>To</source>
        <translation>A</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="128"/>
        <source>Cc</source>
        <translation>Cc</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="129"/>
        <source>Bcc</source>
        <translation>Ccn</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="130"/>
        <source>Subject</source>
        <translation>Oggetto</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="131"/>
        <source>Template</source>
        <translation>Modello</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="134"/>
        <source>Write your answer…</source>
        <translation>Scrivi la tua risposta…</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="139"/>
        <source>Search canned answers</source>
        <translation>Cerca nelle risposte predefinite</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="143"/>
        <source>Insert</source>
        <translation>Inserisci</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="152"/>
        <source>Canned answers</source>
        <translation>Risposte predefinite</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="159"/>
        <source>Attach files…</source>
        <translation>Allega file…</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="161"/>
        <source>Remove</source>
        <translation>Rimuovi</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="164"/>
        <source>Preview</source>
        <translation>Anteprima</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="165"/>
        <source>The message as the customer will get it</source>
        <translation>Il messaggio come lo riceverà il cliente</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="170"/>
        <source>Send</source>
        <translation>Invia</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="172"/>
        <source>Discard draft</source>
        <translation>Elimina bozza</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="191"/>
        <source>Undo</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="467"/>
        <source>Reply</source>
        <translation>Rispondi</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="468"/>
        <source>Reply all</source>
        <translation>Rispondi a tutti</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="469"/>
        <source>Forward</source>
        <translation>Inoltra</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="470"/>
        <source>New email</source>
        <translation>Nuova email</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="385"/>
        <source>Loading…</source>
        <translation>Caricamento…</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="429"/>
        <source>No template</source>
        <translation>Nessun modello</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="446"/>
        <source>Draft restored (saved {time}).</source>
        <translation>Bozza ripristinata (salvata alle {time}).</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="579"/>
        <source>Draft discarded.</source>
        <translation>Bozza eliminata.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="607"/>
        <source>account</source>
        <translation>account</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="607"/>
        <source>global</source>
        <translation>globale</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="637"/>
        <source>Attach files</source>
        <translation>Allega file</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="743"/>
        <source>Choose the account to send from.</source>
        <translation>Scegli l&apos;account da cui inviare.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="804"/>
        <source>Sent; waiting for the central database…</source>
        <translation>Inviata; in attesa del database centrale…</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="832"/>
        <location filename="../../ui/composer.py" line="847"/>
        <source>Handed to the outbox.</source>
        <translation>Consegnata alla posta in uscita.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="849"/>
        <source>Sending in {n} s</source>
        <translation>Invio tra {n} s</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="889"/>
        <source>Not sent: the message is back in the composer.</source>
        <translation>Non inviata: il messaggio è tornato nell&apos;editor.</translation>
    </message>
</context>
<context>
    <name>ContactsPage</name>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="104"/>
        <source>List name</source>
        <translation>Nome della lista</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="105"/>
        <source>&amp;New list</source>
        <translation>&amp;Nuova lista</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="107"/>
        <source>Re&amp;name list</source>
        <translation>&amp;Rinomina lista</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="112"/>
        <source>Contact lists</source>
        <translation>Liste di contatti</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="123"/>
        <source>Search name, address or company…</source>
        <translation>Cerca per nome, indirizzo o azienda…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="132"/>
        <location filename="../../ui/admin/contacts_page.py" line="224"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="133"/>
        <source>Email addresses</source>
        <translation>Indirizzi email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="134"/>
        <location filename="../../ui/admin/contacts_page.py" line="227"/>
        <source>Company</source>
        <translation>Azienda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="135"/>
        <location filename="../../ui/admin/contacts_page.py" line="226"/>
        <source>Phone</source>
        <translation>Telefono</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="136"/>
        <source>Unsubscribed</source>
        <translation>Disiscritto</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="152"/>
        <source>Show &amp;more</source>
        <translation>&amp;Mostra altri</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="157"/>
        <source>BOM for spreadsheets</source>
        <translation>BOM per i fogli di calcolo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="158"/>
        <source>&amp;Import CSV…</source>
        <translation>&amp;Importa CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="160"/>
        <source>E&amp;xport CSV…</source>
        <translation>&amp;Esporta CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="194"/>
        <source>One address per line</source>
        <translation>Un indirizzo per riga</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="200"/>
        <source>No automatic mail (unsubscribed)</source>
        <translation>Nessuna posta automatica (disiscritto)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="204"/>
        <source>Attribute</source>
        <translation>Attributo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="204"/>
        <source>Value</source>
        <translation>Valore</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="204"/>
        <source>Personal data</source>
        <translation>Dati personali</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="211"/>
        <source>&amp;Add attribute</source>
        <translation>&amp;Aggiungi attributo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="213"/>
        <source>Remo&amp;ve attribute</source>
        <translation>Rim&amp;uovi attributo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="215"/>
        <source>New &amp;contact</source>
        <translation>Nuovo &amp;contatto</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="217"/>
        <source>&amp;Save contact</source>
        <translation>&amp;Salva contatto</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="225"/>
        <source>Addresses</source>
        <translation>Indirizzi</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="228"/>
        <source>List</source>
        <translation>Lista</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="258"/>
        <source>yes</source>
        <translation>sì</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="289"/>
        <source>All contacts ({count})</source>
        <translation>Tutti i contatti ({count})</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="294"/>
        <source>{name} ({count})</source>
        <translation>{name} ({count})</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="299"/>
        <source>{list} · default</source>
        <translation>{list} · predefinita</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="304"/>
        <source>New senders of {accounts} are saved in this list.</source>
        <translation>I nuovi mittenti di {accounts} vengono salvati in questa lista.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="321"/>
        <source>(no list)</source>
        <translation>(nessuna lista)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="368"/>
        <source>List {name} saved.</source>
        <translation>Lista {name} salvata.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="423"/>
        <source>No contacts match: change the search, or import a CSV file.</source>
        <translation>Nessun contatto corrisponde: modifica la ricerca o importa un file CSV.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="425"/>
        <source>No contacts in this list yet: import a CSV file or add one.</source>
        <translation>Ancora nessun contatto in questa lista: importa un file CSV o aggiungine uno.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="429"/>
        <source>{count} contacts shown; scroll down for more.</source>
        <translation>{count} contatti mostrati; scorri verso il basso per vederne altri.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="434"/>
        <source>{count} contacts.</source>
        <translation>{count} contatti.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="498"/>
        <source>A new contact: at least one address, then save.</source>
        <translation>Un nuovo contatto: inserisci almeno un indirizzo, poi salva.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="513"/>
        <source>Personal data is anonymised by the retention rules.</source>
        <translation>I dati personali vengono resi anonimi dalle regole di conservazione.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="572"/>
        <source>Saved.</source>
        <translation>Salvato.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="590"/>
        <source>Import contacts</source>
        <translation>Importa contatti</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="592"/>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>File CSV (*.csv);;Tutti i file (*)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="604"/>
        <source>Importing {file}…</source>
        <translation>Importazione di {file}…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="632"/>
        <source>{created} added, {updated} updated, {refused} lines refused.</source>
        <translation>{created} aggiunti, {updated} aggiornati, {refused} righe rifiutate.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="637"/>
        <source>Line {line}: {problem}</source>
        <translation>Riga {line}: {problem}</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="649"/>
        <source>Nothing was imported: {error}</source>
        <translation>Non è stato importato nulla: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="658"/>
        <source>Export contacts</source>
        <translation>Esporta contatti</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="660"/>
        <source>CSV files (*.csv)</source>
        <translation>File CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="682"/>
        <source>{count} contacts written to {path}.</source>
        <translation>{count} contatti scritti in {path}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/contacts_page.py" line="689"/>
        <source>The CSV could not be written: {error}</source>
        <translation>Impossibile scrivere il CSV: {error}</translation>
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
        <location filename="../../ui/admin/content_page.py" line="272"/>
        <source>Saved.</source>
        <translation>Salvato.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/content_page.py" line="296"/>
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
        <location filename="../../ui/customer_panel.py" line="57"/>
        <source>Save contact</source>
        <translation>Salva contatto</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="69"/>
        <source>Customer</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="70"/>
        <source>Addresses</source>
        <translation>Indirizzi</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="71"/>
        <source>Phone</source>
        <translation>Telefono</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="72"/>
        <source>Company</source>
        <translation>Azienda</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="155"/>
        <source>Your unsaved contact changes are back.</source>
        <translation>Le modifiche al contatto non salvate sono state ripristinate.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="178"/>
        <source>(no name)</source>
        <translation>(senza nome)</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="184"/>
        <source>Asked for no more automatic mail.</source>
        <translation>Ha chiesto di non ricevere più posta automatica.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="186"/>
        <source>Not saved as a contact.</source>
        <translation>Non salvato come contatto.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="190"/>
        <source>Other conversations ({count}), newest first:</source>
        <translation>Altre conversazioni ({count}), dalla più recente:</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="195"/>
        <source>No other conversations.</source>
        <translation>Nessun&apos;altra conversazione.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="201"/>
        <source>Account {account}</source>
        <translation>Account {account}</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="240"/>
        <source>Sent; waiting for the central database…</source>
        <translation>Inviata; in attesa del database centrale…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_panel.py" line="248"/>
        <source>Saved.</source>
        <translation>Salvato.</translation>
    </message>
</context>
<context>
    <name>DispositionPanel</name>
    <message>
        <location filename="../../ui/disposition_panel.py" line="58"/>
        <source>Dispose</source>
        <translation>Registra esito</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="60"/>
        <source>Close interaction</source>
        <translation>Chiudi interazione</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="61"/>
        <source>Close: done with this customer&apos;s request</source>
        <translation>Chiudi: la richiesta del cliente è conclusa</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="71"/>
        <source>Disposition</source>
        <translation>Esito</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="102"/>
        <location filename="../../ui/disposition_panel.py" line="132"/>
        <source>No interaction selected.</source>
        <translation>Nessuna interazione selezionata.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="138"/>
        <location filename="../../ui/disposition_panel.py" line="203"/>
        <source>Disposition: {name}</source>
        <translation>Esito: {name}</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="140"/>
        <source>Not disposed yet.</source>
        <translation>Esito non ancora registrato.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="143"/>
        <source>Account {account} requires a disposition before closing.</source>
        <translation>L&apos;account {account} richiede un esito prima della chiusura.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="162"/>
        <source>— choose —</source>
        <translation>— scegli —</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="187"/>
        <source>You are paused while you dispose; no new offers until you close.</source>
        <translation>Sei in pausa mentre registri l&apos;esito; nessuna nuova offerta finché non chiudi.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="194"/>
        <source>Choose a disposition from the list first.</source>
        <translation>Scegli prima un esito dall&apos;elenco.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="204"/>
        <source>Disposed as {name}.</source>
        <translation>Esito registrato: {name}.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="220"/>
        <source>Closed.</source>
        <translation>Chiusa.</translation>
    </message>
    <message>
        <location filename="../../ui/disposition_panel.py" line="243"/>
        <source>Sent; waiting for the central database…</source>
        <translation>Inviata; in attesa del database centrale…</translation>
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
    <name>InteractionsPage</name>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="55"/>
        <location filename="../../ui/admin/interactions_page.py" line="81"/>
        <source>Subject</source>
        <translation>Oggetto</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="56"/>
        <source>Customer address</source>
        <translation>Indirizzo del cliente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="57"/>
        <source>Customer name</source>
        <translation>Nome del cliente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="58"/>
        <location filename="../../ui/admin/interactions_page.py" line="86"/>
        <location filename="../../ui/admin/interactions_page.py" line="267"/>
        <source>Language</source>
        <translation>Lingua</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="59"/>
        <location filename="../../ui/admin/interactions_page.py" line="87"/>
        <source>Status</source>
        <translation>Stato</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="60"/>
        <location filename="../../ui/admin/interactions_page.py" line="83"/>
        <location filename="../../ui/admin/interactions_page.py" line="261"/>
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="61"/>
        <location filename="../../ui/admin/interactions_page.py" line="84"/>
        <location filename="../../ui/admin/interactions_page.py" line="263"/>
        <source>Queue</source>
        <translation>Coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="62"/>
        <location filename="../../ui/admin/interactions_page.py" line="85"/>
        <location filename="../../ui/admin/interactions_page.py" line="265"/>
        <source>Agent</source>
        <translation>Agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="63"/>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="64"/>
        <source>Messages</source>
        <translation>Messaggi</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="65"/>
        <location filename="../../ui/admin/interactions_page.py" line="89"/>
        <source>Started</source>
        <translation>Inizio</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="66"/>
        <location filename="../../ui/admin/interactions_page.py" line="90"/>
        <source>Last activity</source>
        <translation>Ultima attività</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="67"/>
        <location filename="../../ui/admin/interactions_page.py" line="88"/>
        <location filename="../../ui/admin/interactions_page.py" line="235"/>
        <source>Unread</source>
        <translation>Non letta</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="70"/>
        <source>equals</source>
        <translation>è uguale a</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="71"/>
        <source>does not equal</source>
        <translation>è diverso da</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="72"/>
        <source>contains</source>
        <translation>contiene</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="73"/>
        <source>starts with</source>
        <translation>inizia con</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="74"/>
        <source>ends with</source>
        <translation>finisce con</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="75"/>
        <source>is greater than</source>
        <translation>è maggiore di</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="76"/>
        <source>is less than</source>
        <translation>è minore di</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="77"/>
        <source>is between</source>
        <translation>è compreso tra</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="78"/>
        <source>is empty</source>
        <translation>è vuoto</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="82"/>
        <source>Customer</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="106"/>
        <source>{field} {operator} “{low}” and “{high}”</source>
        <translation>{field} {operator} “{low}” e “{high}”</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="224"/>
        <source>Filters</source>
        <translation>Filtri</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="231"/>
        <source>tags, comma-separated (all of them)</source>
        <translation>etichette, separate da virgole (tutte)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="234"/>
        <source>Read or unread</source>
        <translation>Letta o non letta</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="236"/>
        <source>Read</source>
        <translation>Letta</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="239"/>
        <source>Open or closed</source>
        <translation>Aperta o chiusa</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="240"/>
        <location filename="../../ui/admin/interactions_page.py" line="627"/>
        <source>Open</source>
        <translation>Aperta</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="241"/>
        <location filename="../../ui/admin/interactions_page.py" line="627"/>
        <source>Closed</source>
        <translation>Chiusa</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="243"/>
        <source>Started from</source>
        <translation>Iniziata dal</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="244"/>
        <source>to</source>
        <translation>al</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="254"/>
        <source>Words in the mail (full text)…</source>
        <translation>Parole nelle email (testo completo)…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="257"/>
        <source>&amp;Search</source>
        <translation>&amp;Cerca</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="282"/>
        <source>Any</source>
        <translation>Qualsiasi</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="286"/>
        <source>Advanced search</source>
        <translation>Ricerca avanzata</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="289"/>
        <source>Match all conditions</source>
        <translation>Soddisfa tutte le condizioni</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="290"/>
        <source>Match any condition</source>
        <translation>Soddisfa almeno una condizione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="307"/>
        <source>value (dates as 2026-01-31)</source>
        <translation>valore (date come 2026-01-31)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="308"/>
        <source>and</source>
        <translation>e</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="311"/>
        <source>&amp;Add</source>
        <translation>&amp;Aggiungi</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="313"/>
        <source>&amp;Update</source>
        <translation>A&amp;ggiorna</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="315"/>
        <source>Disable/&amp;enable</source>
        <translation>Disattiva/a&amp;ttiva</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="317"/>
        <source>&amp;Delete</source>
        <translation>Eli&amp;mina</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="319"/>
        <source>C&amp;lear all</source>
        <translation>&amp;Svuota tutto</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="350"/>
        <source>L&amp;oad</source>
        <translation>Ca&amp;rica</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="352"/>
        <source>Save &amp;as…</source>
        <translation>Sal&amp;va con nome…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="354"/>
        <source>&amp;Rename…</source>
        <translation>Ri&amp;nomina…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="356"/>
        <source>Delete saved search</source>
        <translation>Elimina ricerca salvata</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="359"/>
        <source>Saved searches</source>
        <translation>Ricerche salvate</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="383"/>
        <source>BOM for spreadsheets</source>
        <translation>BOM per i fogli di calcolo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="384"/>
        <source>&amp;Export CSV…</source>
        <translation>&amp;Esporta CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="386"/>
        <source>Exports the selected rows, or every row shown when none is selected</source>
        <translation>Esporta le righe selezionate, oppure tutte le righe mostrate se nessuna è selezionata</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="389"/>
        <source>S&amp;py</source>
        <translation>&amp;Osserva</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="390"/>
        <source>Read the conversation without accepting it</source>
        <translation>Leggi la conversazione senza accettarla</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="392"/>
        <source>Download .eml &amp;zip…</source>
        <translation>Scarica .eml in &amp;zip…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="394"/>
        <source>Zip &amp;without attachments…</source>
        <translation>Zip senza a&amp;llegati…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="396"/>
        <source>Delete &amp;permanently…</source>
        <translation>Elimina &amp;definitivamente…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="607"/>
        <source>Searching…</source>
        <translation>Ricerca in corso…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="628"/>
        <source>unread</source>
        <translation>non letta</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="638"/>
        <source>No interaction matches: loosen a filter or disable a condition.</source>
        <translation>Nessuna interazione corrisponde: allenta un filtro o disattiva una condizione.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="643"/>
        <source>The first {count} interactions; narrow the search to see the rest.</source>
        <translation>Le prime {count} interazioni; restringi la ricerca per vedere le altre.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="647"/>
        <source>{count} interactions.</source>
        <translation>{count} interazioni.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="686"/>
        <source>Select one interaction first.</source>
        <translation>Seleziona prima un&apos;interazione.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="763"/>
        <source>Saved search “{name}” stored.</source>
        <translation>Ricerca “{name}” salvata.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="769"/>
        <source>Saved search “{name}” loaded.</source>
        <translation>Ricerca salvata “{name}” caricata.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="774"/>
        <source>Saved search “{name}” deleted.</source>
        <translation>Ricerca salvata “{name}” eliminata.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="788"/>
        <source>Save search</source>
        <translation>Salva ricerca</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="788"/>
        <source>Name of the saved search:</source>
        <translation>Nome della ricerca salvata:</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="794"/>
        <source>Replace saved search?</source>
        <translation>Sostituire la ricerca salvata?</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="795"/>
        <source>There is already a saved search “{name}”. Replace it?</source>
        <translation>Esiste già una ricerca salvata “{name}”. Sostituirla?</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="804"/>
        <source>Rename saved search</source>
        <translation>Rinomina ricerca salvata</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="804"/>
        <source>New name:</source>
        <translation>Nuovo nome:</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="811"/>
        <source>Delete saved search?</source>
        <translation>Eliminare la ricerca salvata?</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="812"/>
        <source>Delete the saved search “{name}”?</source>
        <translation>Eliminare la ricerca salvata “{name}”?</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="821"/>
        <source>Export CSV</source>
        <translation>Esporta CSV</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="823"/>
        <source>CSV files (*.csv)</source>
        <translation>File CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="832"/>
        <source>Exporting…</source>
        <translation>Esportazione…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="842"/>
        <source>{count} interactions written to {path}.</source>
        <translation>{count} interazioni scritte in {path}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="847"/>
        <source>The CSV could not be written: {error}</source>
        <translation>Impossibile scrivere il CSV: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="863"/>
        <source>Download the conversation</source>
        <translation>Scarica la conversazione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="865"/>
        <source>Zip files (*.zip)</source>
        <translation>File zip (*.zip)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="877"/>
        <source>Writing the zip…</source>
        <translation>Scrittura dello zip…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="888"/>
        <source>The conversation was written to {path}.</source>
        <translation>La conversazione è stata scritta in {path}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="892"/>
        <source>The zip could not be written: {error}</source>
        <translation>Impossibile scrivere lo zip: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="904"/>
        <source>Select the interactions to delete first.</source>
        <translation>Seleziona prima le interazioni da eliminare.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="908"/>
        <source>Delete “{subject}” and all its messages permanently? This cannot be undone.</source>
        <translation>Eliminare definitivamente “{subject}” e tutti i suoi messaggi? L&apos;operazione non può essere annullata.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="912"/>
        <source>Delete {count} interactions and all their messages permanently? This cannot be undone.</source>
        <translation>Eliminare definitivamente {count} interazioni e tutti i loro messaggi? L&apos;operazione non può essere annullata.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="915"/>
        <source>Delete permanently?</source>
        <translation>Eliminare definitivamente?</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="918"/>
        <source>Deleting…</source>
        <translation>Eliminazione…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="929"/>
        <source>{count} interactions deleted.</source>
        <translation>{count} interazioni eliminate.</translation>
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
        <location filename="../../ui/main_window.py" line="63"/>
        <source>Relaydesk</source>
        <translation>Relaydesk</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="74"/>
        <source>Actions</source>
        <translation>Azioni</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="124"/>
        <source>Filter by customer or subject (Ctrl+F)</source>
        <translation>Filtra per cliente o oggetto (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="199"/>
        <source>Opening the store…</source>
        <translation>Apertura dell&apos;archivio…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="439"/>
        <source>No email yet. Add an email account with “relaydesk account add”, then fetch with “relaydesk fetch”.</source>
        <translation>Ancora nessuna email. Aggiungi un account email con “relaydesk account add”, poi scarica la posta con “relaydesk fetch”.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="445"/>
        <source>No interactions match “{text}”.</source>
        <translation>Nessuna interazione corrisponde a “{text}”.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="447"/>
        <source>{count} interactions · store {path}</source>
        <translation>{count} interazioni · archivio {path}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="465"/>
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
        <location filename="../../ui/admin/monitoring.py" line="36"/>
        <source>Available</source>
        <translation>Disponibile</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="37"/>
        <source>Paused</source>
        <translation>In pausa</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="38"/>
        <source>Logged out</source>
        <translation>Disconnesso</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="39"/>
        <source>In email</source>
        <translation>In un&apos;email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="62"/>
        <source>never</source>
        <translation>mai</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="63"/>
        <source>{time} ago</source>
        <translation>{time} fa</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="93"/>
        <source>Agent</source>
        <translation>Agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="94"/>
        <source>State</source>
        <translation>Stato</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="95"/>
        <source>Time in state</source>
        <translation>Tempo nello stato</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="96"/>
        <source>Current interaction</source>
        <translation>Interazione attuale</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="97"/>
        <source>Holding</source>
        <translation>In carico</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="98"/>
        <location filename="../../ui/admin/monitoring.py" line="117"/>
        <source>Handled today</source>
        <translation>Gestite oggi</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="99"/>
        <source>In email today</source>
        <translation>In email oggi</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="112"/>
        <source>Queue</source>
        <translation>Coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="113"/>
        <source>Project</source>
        <translation>Progetto</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="114"/>
        <location filename="../../ui/admin/monitoring.py" line="128"/>
        <source>Waiting</source>
        <translation>In attesa</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="115"/>
        <source>Oldest waiting</source>
        <translation>Attesa più lunga</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="116"/>
        <source>Offered today</source>
        <translation>Offerte oggi</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="118"/>
        <source>SLA at risk</source>
        <translation>SLA a rischio</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="125"/>
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="126"/>
        <source>Active</source>
        <translation>Attivo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="127"/>
        <source>Open</source>
        <translation>Aperte</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="129"/>
        <source>Last fetch</source>
        <translation>Ultimo scaricamento</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="130"/>
        <source>Fetch error</source>
        <translation>Errore di scaricamento</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="135"/>
        <source>yes</source>
        <translation>sì</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="137"/>
        <source>no</source>
        <translation>no</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="145"/>
        <source>Open as &amp;wallboard</source>
        <translation>Apri come &amp;tabellone</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="188"/>
        <source>Realtime view of {account}</source>
        <translation>Vista in tempo reale di {account}</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="192"/>
        <source>Relaydesk wallboard</source>
        <translation>Tabellone Relaydesk</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="267"/>
        <source>{in_email} agents in email ({total} today) · {waiting} waiting · updated {time}</source>
        <translation>{in_email} agenti in email ({total} oggi) · {waiting} in attesa · aggiornato alle {time}</translation>
    </message>
    <message>
        <location filename="../../ui/admin/monitoring.py" line="282"/>
        <source>Monitoring could not be read: {error} (retrying)</source>
        <translation>Impossibile leggere il monitoraggio: {error} (nuovo tentativo in corso)</translation>
    </message>
</context>
<context>
    <name>NavigationPane</name>
    <message>
        <location filename="../../ui/navigation.py" line="36"/>
        <source>Available</source>
        <translation>Disponibile</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="37"/>
        <source>Paused</source>
        <translation>In pausa</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="38"/>
        <source>Logged out</source>
        <translation>Disconnesso</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="39"/>
        <source>In an email</source>
        <translation>In un&apos;email</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="43"/>
        <source>Break</source>
        <translation>Pausa breve</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="44"/>
        <source>Lunch</source>
        <translation>Pranzo</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="45"/>
        <source>Meeting</source>
        <translation>Riunione</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="46"/>
        <source>Training</source>
        <translation>Formazione</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="47"/>
        <source>Back-office work</source>
        <translation>Lavoro di back office</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="92"/>
        <source>Accounts and queues</source>
        <translation>Account e code</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="92"/>
        <source>Unread</source>
        <translation>Non lette</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="92"/>
        <source>Waiting</source>
        <translation>In attesa</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="94"/>
        <source>Open interactions not read yet</source>
        <translation>Interazioni aperte non ancora lette</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="95"/>
        <source>Open interactions nobody has accepted</source>
        <translation>Interazioni aperte che nessuno ha accettato</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="109"/>
        <source>Your state: only available agents are offered new email</source>
        <translation>Il tuo stato: le nuove email sono offerte solo agli agenti disponibili</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="117"/>
        <source>Why you pause (your supervisor sees it)</source>
        <translation>Perché sei in pausa (il supervisore lo vede)</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="124"/>
        <source>My state</source>
        <translation>Il mio stato</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="126"/>
        <source>State</source>
        <translation>Stato</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="127"/>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="218"/>
        <source>Sign in to take work.</source>
        <translation>Accedi per ricevere lavoro.</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="230"/>
        <source>{state} ({reason}) since {time}</source>
        <translation>{state} ({reason}) dalle {time}</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="234"/>
        <source>{state} since {time}</source>
        <translation>{state} dalle {time}</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="299"/>
        <source>All interactions</source>
        <translation>Tutte le interazioni</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="305"/>
        <source>Project {key}</source>
        <translation>Progetto {key}</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="315"/>
        <source>Account {name}</source>
        <translation>Account {name}</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="320"/>
        <source>Queue {name}</source>
        <translation>Coda {name}</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="366"/>
        <source>Say why you pause: choose or type a reason.</source>
        <translation>Indica perché vai in pausa: scegli o scrivi un motivo.</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="368"/>
        <source>Changing your state…</source>
        <translation>Cambio dello stato…</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="372"/>
        <source>Changing your state: waiting for the central database…</source>
        <translation>Cambio di stato: in attesa del database centrale…</translation>
    </message>
    <message>
        <location filename="../../ui/navigation.py" line="377"/>
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
    <name>ProjectTools</name>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="69"/>
        <source>empty: the label</source>
        <translation>vuoto: l&apos;etichetta</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="71"/>
        <source>&amp;New</source>
        <translation>&amp;Nuovo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="73"/>
        <source>&amp;Save type</source>
        <translation>&amp;Salva tipo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="76"/>
        <source>&amp;Remove type</source>
        <translation>&amp;Rimuovi tipo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="83"/>
        <source>Label</source>
        <translation>Etichetta</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="84"/>
        <source>Export value</source>
        <translation>Valore di esportazione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="93"/>
        <source>Agents choose a type when they open a ticket; reports and exports write the export value. A removed type stays on the tickets that have it.</source>
        <translation>Gli agenti scelgono un tipo quando aprono un ticket; report ed esportazioni riportano il valore di esportazione. Un tipo rimosso resta sui ticket che lo hanno.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="139"/>
        <source>{label} → {export} ({count} tickets)</source>
        <translation>{label} → {export} ({count} ticket)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="190"/>
        <source>Ticket type {label} saved.</source>
        <translation>Tipo di ticket {label} salvato.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="215"/>
        <source>Ticket type {label} removed.</source>
        <translation>Tipo di ticket {label} rimosso.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="246"/>
        <source>&amp;Save</source>
        <translation>&amp;Salva</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="256"/>
        <source>Sender accounts agents may choose (none ticked: the project&apos;s own accounts that can send)</source>
        <translation>Account mittenti che gli agenti possono scegliere (nessuno spuntato: gli account del progetto che possono inviare)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="265"/>
        <source>Default sender</source>
        <translation>Mittente predefinito</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="269"/>
        <source>Email templates agents may use</source>
        <translation>Modelli email che gli agenti possono usare</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="316"/>
        <source>(none: the interaction&apos;s own account)</source>
        <translation>(nessuno: l&apos;account dell&apos;interazione)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/project_tools.py" line="369"/>
        <source>Saved: agents of {project} see these choices.</source>
        <translation>Salvato: gli agenti di {project} vedono queste scelte.</translation>
    </message>
</context>
<context>
    <name>ProtocolLog</name>
    <message>
        <location filename="../../ui/admin/account_tools.py" line="57"/>
        <source>No lines yet. Verify the connection, or wait for the next fetch, to see the conversation with the IMAP and SMTP servers here.</source>
        <translation>Ancora nessuna riga. Verifica la connessione, o attendi il prossimo scaricamento, per vedere qui la conversazione con i server IMAP e SMTP.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/account_tools.py" line="63"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Aggiorna</translation>
    </message>
    <message>
        <location filename="../../ui/admin/account_tools.py" line="66"/>
        <source>Verify &amp;now</source>
        <translation>&amp;Verifica ora</translation>
    </message>
    <message>
        <location filename="../../ui/admin/account_tools.py" line="70"/>
        <source>Passwords, tokens and message bodies are never recorded.</source>
        <translation>Password, token e testi dei messaggi non vengono mai registrati.</translation>
    </message>
</context>
<context>
    <name>RejectionBar</name>
    <message>
        <location filename="../../ui/team_status.py" line="230"/>
        <source>Dismiss</source>
        <translation>Chiudi</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="242"/>
        <source>The central database refused an operation: {reason}</source>
        <translation>Il database centrale ha rifiutato un&apos;operazione: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="246"/>
        <source>({count} refused)</source>
        <translation>({count} rifiutate)</translation>
    </message>
</context>
<context>
    <name>ReportCharts</name>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="68"/>
        <source>Emails per day</source>
        <translation>Email al giorno</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="70"/>
        <source>Inbound</source>
        <translation>In arrivo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="71"/>
        <source>Outbound</source>
        <translation>In uscita</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="84"/>
        <source>Tickets opened per day</source>
        <translation>Ticket aperti al giorno</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="85"/>
        <source>Opened</source>
        <translation>Aperti</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="93"/>
        <source>Handled and sent per agent</source>
        <translation>Gestite e inviate per agente</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="97"/>
        <source>Handled</source>
        <translation>Gestite</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="101"/>
        <source>Emails sent</source>
        <translation>Email inviate</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="112"/>
        <source>Interactions per disposition</source>
        <translation>Interazioni per esito</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="116"/>
        <source>Interactions</source>
        <translation>Interazioni</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="155"/>
        <source>Waiting per queue</source>
        <translation>In attesa per coda</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="159"/>
        <source>Waiting</source>
        <translation>In attesa</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="171"/>
        <source>Oldest waiting (minutes)</source>
        <translation>Attesa più lunga (minuti)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="173"/>
        <source>Oldest waiting</source>
        <translation>Attesa più lunga</translation>
    </message>
    <message>
        <location filename="../../ui/admin/chart_data.py" line="174"/>
        <source>min</source>
        <translation>min</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="38"/>
        <source>Email log</source>
        <translation>Registro email</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="39"/>
        <source>Ticket list</source>
        <translation>Elenco ticket</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="40"/>
        <source>Agent statistics</source>
        <translation>Statistiche agenti</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="41"/>
        <source>Disposition statistics</source>
        <translation>Statistiche per esito</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="58"/>
        <source>The period ends before it starts: choose a later “to” date.</source>
        <translation>Il periodo finisce prima di iniziare: scegli una data «a» successiva.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="105"/>
        <source>Include emails linked to tickets</source>
        <translation>Includi le email collegate ai ticket</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="107"/>
        <source>&amp;Show</source>
        <translation>&amp;Mostra</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="111"/>
        <source>Filter rows…</source>
        <translation>Filtra le righe…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="113"/>
        <source>BOM for spreadsheets</source>
        <translation>BOM per i fogli di calcolo</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="114"/>
        <source>&amp;Export CSV…</source>
        <translation>&amp;Esporta CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="150"/>
        <source>from</source>
        <translation>da</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="152"/>
        <source>to</source>
        <translation>a</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="176"/>
        <source>Reading…</source>
        <translation>Lettura…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="195"/>
        <source>{count} rows.</source>
        <translation>{count} righe.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="197"/>
        <source>Nothing in this period: choose an earlier “from” date.</source>
        <translation>Nulla in questo periodo: scegli una data «da» precedente.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="219"/>
        <source>Export CSV</source>
        <translation>Esporta CSV</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="221"/>
        <source>CSV files (*.csv)</source>
        <translation>File CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="228"/>
        <source>Exporting…</source>
        <translation>Esportazione…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="238"/>
        <source>{count} rows written to {path}.</source>
        <translation>{count} righe scritte in {path}.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/reports_page.py" line="246"/>
        <source>The CSV could not be written: {error}</source>
        <translation>Impossibile scrivere il CSV: {error}</translation>
    </message>
</context>
<context>
    <name>SettingsForm</name>
    <message>
        <location filename="../../ui/admin/forms.py" line="75"/>
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
    <name>SpyDialog</name>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="133"/>
        <source>Spy on an interaction</source>
        <translation>Osserva un&apos;interazione</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="139"/>
        <source>An internal note (never sent to the customer)…</source>
        <translation>Una nota interna (mai inviata al cliente)…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="141"/>
        <source>Add &amp;note</source>
        <translation>Aggiungi &amp;nota</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="151"/>
        <source>Read-only: spying does not accept the interaction or mark it read.</source>
        <translation>Sola lettura: osservare non accetta l&apos;interazione né la segna come letta.</translation>
    </message>
    <message>
        <location filename="../../ui/admin/interactions_page.py" line="177"/>
        <source>Note added.</source>
        <translation>Nota aggiunta.</translation>
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
    <name>TeamStatus</name>
    <message>
        <location filename="../../ui/team_status.py" line="48"/>
        <source>1 operation</source>
        <translation>1 operazione</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="49"/>
        <source>{count} operations</source>
        <translation>{count} operazioni</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="58"/>
        <source>{operations} of other agents waiting</source>
        <translation>{operations} di altri agenti in attesa</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="68"/>
        <source>Waiting in this desk&apos;s outbox until their agent signs in here again:</source>
        <translation>In attesa nella coda di uscita di questa postazione finché il loro agente non accede di nuovo qui:</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="73"/>
        <source>an agent this desk does not know</source>
        <translation>un agente che questa postazione non conosce</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="87"/>
        <source>Synchronising… {percent}%</source>
        <translation>Sincronizzazione… {percent}%</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="91"/>
        <source>Connecting to the central database…</source>
        <translation>Connessione al database centrale…</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="93"/>
        <source>The central database needs upgrading</source>
        <translation>Il database centrale va aggiornato</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="95"/>
        <source>This desk needs upgrading</source>
        <translation>Questa postazione va aggiornata</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="97"/>
        <source>Offline · {operations} waiting</source>
        <translation>Non in linea · {operations} in attesa</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="100"/>
        <source>Central database connected</source>
        <translation>Database centrale connesso</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="103"/>
        <source>synced {time}</source>
        <translation>sincronizzato alle {time}</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="109"/>
        <source>{operations} pending</source>
        <translation>{operations} in sospeso</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="123"/>
        <source>Offline — working from this computer&apos;s copy; changes will be sent when the central database is back</source>
        <translation>Non in linea — si lavora sulla copia di questo computer; le modifiche saranno inviate quando il database centrale tornerà disponibile</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="128"/>
        <source>Offline — {operations} waiting to be sent; they will go when the central database is back</source>
        <translation>Non in linea — {operations} in attesa di invio; partiranno quando il database centrale tornerà disponibile</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="137"/>
        <source>This desk needs upgrading: the central database is at a newer schema than this Relaydesk; install the new version. Until then it works from this computer&apos;s copy.</source>
        <translation>Questa postazione va aggiornata: il database centrale ha uno schema più recente di questo Relaydesk; installa la nuova versione. Fino ad allora si lavora sulla copia di questo computer.</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="142"/>
        <source>The central database needs upgrading: {error}</source>
        <translation>Il database centrale va aggiornato: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/team_status.py" line="209"/>
        <source>Team mode is not available: {error}</source>
        <translation>La modalità di squadra non è disponibile: {error}</translation>
    </message>
</context>
<context>
    <name>ThreadView</name>
    <message>
        <location filename="../../ui/thread_view.py" line="361"/>
        <location filename="../../ui/thread_view.py" line="381"/>
        <source>Select an interaction to read its thread.</source>
        <translation>Seleziona un&apos;interazione per leggerne la conversazione.</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="379"/>
        <source>Signed out. Sign in to work, or select an interaction to read its thread.</source>
        <translation>Disconnesso. Accedere per lavorare, oppure selezionare un&apos;interazione per leggerne la conversazione.</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="458"/>
        <source>Open a dangerous attachment?</source>
        <translation>Aprire un allegato pericoloso?</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="460"/>
        <source>“{name}” is a file type that can run programs on this computer. Open it only if you trust the sender and expected this file.</source>
        <translation>“{name}” è un tipo di file che può eseguire programmi su questo computer. Aprilo solo se ti fidi del mittente e aspettavi questo file.</translation>
    </message>
    <message>
        <location filename="../../ui/thread_view.py" line="487"/>
        <source>Save attachment</source>
        <translation>Salva allegato</translation>
    </message>
</context>
<context>
    <name>TicketPanel</name>
    <message>
        <location filename="../../ui/ticket_panel.py" line="62"/>
        <location filename="../../ui/ticket_panel.py" line="181"/>
        <location filename="../../ui/ticket_panel.py" line="223"/>
        <source>No interaction selected.</source>
        <translation>Nessuna interazione selezionata.</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="67"/>
        <source>Save ticket</source>
        <translation>Salva ticket</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="71"/>
        <source>This interaction&apos;s ticket</source>
        <translation>Il ticket di questa interazione</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="74"/>
        <location filename="../../ui/ticket_panel.py" line="89"/>
        <source>Title</source>
        <translation>Titolo</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="75"/>
        <location filename="../../ui/ticket_panel.py" line="90"/>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="76"/>
        <source>Responsible</source>
        <translation>Responsabile</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="78"/>
        <source>Interactions on this ticket</source>
        <translation>Interazioni di questo ticket</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="83"/>
        <source>Title (the subject if empty)</source>
        <translation>Titolo (l&apos;oggetto se vuoto)</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="85"/>
        <source>Create ticket</source>
        <translation>Crea ticket</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="87"/>
        <source>New ticket from this interaction</source>
        <translation>Nuovo ticket da questa interazione</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="95"/>
        <source>Ticket number, customer or title</source>
        <translation>Numero del ticket, cliente o titolo</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="99"/>
        <source>Assign to this ticket</source>
        <translation>Assegna a questo ticket</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="105"/>
        <source>Assign to an existing ticket</source>
        <translation>Assegna a un ticket esistente</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="260"/>
        <source>(no type)</source>
        <translation>(nessun tipo)</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="264"/>
        <source>(nobody)</source>
        <translation>(nessuno)</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="269"/>
        <source>Not on a ticket yet.</source>
        <translation>Non ancora in un ticket.</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="273"/>
        <source>Ticket {number}</source>
        <translation>Ticket {number}</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="321"/>
        <source>Your unsaved ticket changes are back.</source>
        <translation>Le modifiche al ticket non salvate sono state ripristinate.</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="381"/>
        <source>Search for a ticket and choose it first.</source>
        <translation>Cerca prima un ticket e sceglilo.</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="426"/>
        <source>Sent; waiting for the central database…</source>
        <translation>Inviata; in attesa del database centrale…</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="434"/>
        <source>Created ticket {number}.</source>
        <translation>Ticket {number} creato.</translation>
    </message>
    <message>
        <location filename="../../ui/ticket_panel.py" line="436"/>
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
        <location filename="../../ui/welcome.py" line="207"/>
        <source>Loading demo data failed: {error}</source>
        <translation>Caricamento dei dati dimostrativi non riuscito: {error}</translation>
    </message>
</context>
</TS>
