"""Datastore files beyond the VMs': FileManager (MakeDirectory, Copy/Move/DeleteDatastoreFile
_Task) through pyVmomi and /folder over HTTP, as govc datastore.mkdir / upload / download /
cp / mv / rm and Ansible's vsphere_copy use them; the browser lists them; space and --state
follow."""
import pytest
import requests
from pyVmomi import vim

from test_datastore_and_pools import by_path, datastore, finished, search
from test_snapshot import control

ISO = b"\x00ISO-9660 image\x00" * 64


def dc0(si):
    return si.content.rootFolder.childEntity[0]


def folder_url(emulator, path, ds="LocalDS_0", dc="DC0"):
    return "%s/folder/%s?dcPath=%s&dsName=%s" % (emulator.base, path, dc, ds)


def cookie(si):
    """The session cookie pyVmomi holds, for requests to send as it would."""
    name, _, value = si._stub.cookie.split(";")[0].partition("=")
    return {name.strip(): value.strip().strip('"')}


def test_make_directory_upload_download_and_browse(emulator, si):
    fm, ds = si.content.fileManager, datastore(si)
    fm.MakeDirectory(name="[LocalDS_0] iso", datacenter=dc0(si))
    with pytest.raises(vim.fault.FileAlreadyExists) as found:
        fm.MakeDirectory(name="[LocalDS_0] iso", datacenter=dc0(si))
    assert found.value.file == "[LocalDS_0] iso"
    with pytest.raises(vim.fault.FileNotFound) as found:
        fm.MakeDirectory(name="[LocalDS_0] a/b/c", datacenter=dc0(si))
    assert found.value.file == "[LocalDS_0] a/b"
    fm.MakeDirectory(name="[LocalDS_0] a/b/c", datacenter=dc0(si), createParentDirectories=True)
    free = ds.summary.freeSpace
    put = requests.put(folder_url(emulator, "iso/tiny.iso"), data=ISO, cookies=cookie(si),
                       timeout=10)
    assert put.status_code == 201, put.text
    again = requests.put(folder_url(emulator, "iso/tiny.iso"), data=ISO, cookies=cookie(si),
                         timeout=10)
    assert again.status_code == 200
    assert free - ds.summary.freeSpace == len(ISO)
    got = requests.get(folder_url(emulator, "iso/tiny.iso"), cookies=cookie(si), timeout=10)
    assert got.status_code == 200 and got.content == ISO
    top = by_path(search(emulator, ds, "[LocalDS_0]"))
    assert {"iso", "a", "DC0_H0_VM0"} <= set(top)
    assert isinstance(top["iso"], vim.host.DatastoreBrowser.FolderInfo)
    spec = vim.host.DatastoreBrowser.SearchSpec(details=vim.host.DatastoreBrowser.FileInfo.Details(
        fileType=True, fileSize=True))
    [iso] = search(emulator, ds, "[LocalDS_0] iso", spec).file
    assert (iso.path, iso.fileSize) == ("tiny.iso", len(ISO))
    assert isinstance(iso, vim.host.DatastoreBrowser.IsoImageInfo)
    walked = search(emulator, ds, "[LocalDS_0]", sub_folders=True)
    assert {"[LocalDS_0] a/b/", "[LocalDS_0] a/b/c/", "[LocalDS_0] iso/"} <= \
        {r.folderPath for r in walked}
    # a PUT makes the folders it names (Ansible's vsphere_file makes a folder so)
    made = requests.put(folder_url(emulator, "new/dir/x.iso"), data=b"x", cookies=cookie(si),
                        timeout=10)
    assert made.status_code == 201
    assert "x.iso" in by_path(search(emulator, ds, "[LocalDS_0] new/dir"))
    head = requests.head(folder_url(emulator, "new/dir/x.iso"), cookies=cookie(si), timeout=10)
    assert head.status_code == 200 and head.headers["Content-Length"] == "1"
    assert requests.delete(folder_url(emulator, "new/dir"), cookies=cookie(si),
                           timeout=10).status_code == 405


def test_copy_move_and_delete(emulator, si):
    fm, ds, dc = si.content.fileManager, datastore(si), dc0(si)
    fm.MakeDirectory(name="[LocalDS_0] src", datacenter=dc)
    requests.put(folder_url(emulator, "src/a.txt"), data=b"hello", cookies=cookie(si),
                 timeout=10).raise_for_status()
    free = ds.summary.freeSpace
    info = finished(emulator, fm.CopyDatastoreFile_Task(
        sourceName="[LocalDS_0] src/a.txt", sourceDatacenter=dc,
        destinationName="[LocalDS_0] src/b.txt"))
    assert info.state == "success", info.error
    assert free - ds.summary.freeSpace == 5
    info = finished(emulator, fm.CopyDatastoreFile_Task(
        sourceName="[LocalDS_0] src/a.txt", sourceDatacenter=dc,
        destinationName="[LocalDS_0] src/b.txt"))
    assert isinstance(info.error, vim.fault.FileAlreadyExists)
    assert info.error.file == "[LocalDS_0] src/b.txt"
    assert finished(emulator, fm.CopyDatastoreFile_Task(
        sourceName="[LocalDS_0] src/a.txt", sourceDatacenter=dc,
        destinationName="[LocalDS_0] src/b.txt", force=True)).state == "success"
    assert finished(emulator, fm.MoveDatastoreFile_Task(
        sourceName="[LocalDS_0] src", sourceDatacenter=dc,
        destinationName="[LocalDS_0] dst")).state == "success"
    assert set(by_path(search(emulator, ds, "[LocalDS_0] dst"))) == {"a.txt", "b.txt"}
    gone = finished(emulator, ds.browser.SearchDatastore_Task(datastorePath="[LocalDS_0] src"))
    assert isinstance(gone.error, vim.fault.FileNotFound)
    got = requests.get(folder_url(emulator, "dst/b.txt"), cookies=cookie(si), timeout=10)
    assert got.content == b"hello"
    assert finished(emulator, fm.DeleteDatastoreFile_Task(
        name="[LocalDS_0] dst", datacenter=dc)).state == "success"
    assert ds.summary.freeSpace == free + 5  # both copies' space back
    info = finished(emulator, fm.DeleteDatastoreFile_Task(name="[LocalDS_0] dst",
                                                          datacenter=dc))
    assert isinstance(info.error, vim.fault.FileNotFound)
    info = finished(emulator, fm.DeleteDatastoreFile_Task(name="[LocalDS_0] DC0_H0_VM0",
                                                          datacenter=dc))
    assert isinstance(info.error, vim.fault.CannotDeleteFile)  # a VM's files go with it
    with pytest.raises(vim.fault.InvalidDatastore):
        fm.DeleteDatastoreFile_Task(name="[NoSuchDS] x", datacenter=dc)


def test_folder_over_http_authenticates_and_checks_privileges(emulator, si):
    anonymous = requests.get(folder_url(emulator, ""), timeout=10)
    assert anonymous.status_code == 401 and "Basic" in anonymous.headers["WWW-Authenticate"]
    listing = requests.get(folder_url(emulator, ""), auth=("user", "pass"), timeout=10)
    assert listing.status_code == 200 and "DC0_H0_VM0/" in listing.text
    vmx = requests.get(folder_url(emulator, "DC0_H0_VM0/DC0_H0_VM0.vmx"), auth=("user", "pass"),
                       timeout=10)
    assert vmx.status_code == 200 and 'displayName = "DC0_H0_VM0"' in vmx.text
    ro = requests.put(folder_url(emulator, "x.txt"), data=b"x", auth=("readonly", "readonly"),
                      timeout=10)
    assert ro.status_code == 403
    assert requests.get(folder_url(emulator, "x.txt"), auth=("user", "pass"),
                        timeout=10).status_code == 404
    assert requests.get(folder_url(emulator, "", ds="NoSuchDS"), auth=("user", "pass"),
                        timeout=10).status_code == 404
    for bad in ("..%2f..%2fetc%2fpasswd", "a%00b", "x%1b.txt", "%ff.txt"):  # no poison
        answer = requests.put(folder_url(emulator, bad), data=b"x", auth=("user", "pass"),
                              timeout=10)
        assert answer.status_code == 404, answer.text
    assert requests.put(folder_url(emulator, "x.txt"), data=b"x", auth=("user", "pass"),
                        timeout=10).status_code == 201
    assert requests.delete(folder_url(emulator, "x.txt"), auth=("user", "pass"),
                           timeout=10).status_code == 204
    assert requests.put(folder_url(emulator, "DC0_H0_VM0/DC0_H0_VM0.vmx"), data=b"x",
                        auth=("user", "pass"), timeout=10).status_code == 409
    with pytest.raises(vim.fault.NoPermission) as found:
        ro_si = emulator.connect(user="readonly", pwd="readonly")
        ro_si.content.fileManager.MakeDirectory(name="[LocalDS_0] mine")
    assert found.value.privilegeId == "Datastore.FileManagement"


def test_datastore_files_are_kept_by_a_snapshot(make_emulator):
    first = make_emulator(clock="virtual")
    si = first.connect()
    si.content.fileManager.MakeDirectory(name="[LocalDS_0] iso", datacenter=dc0(si))
    requests.put(folder_url(first, "iso/tiny.iso"), data=ISO, cookies=cookie(si),
                 timeout=10).raise_for_status()
    free = datastore(si).summary.freeSpace
    snapshot = control(first.base, "GET", "/snapshot")
    second = make_emulator(clock="virtual")
    assert control(second.base, "PUT", "/snapshot", snapshot) == {"loaded": True}
    si = second.connect()
    assert datastore(si).summary.freeSpace == free
    got = requests.get(folder_url(second, "iso/tiny.iso"), cookies=cookie(si), timeout=10)
    assert got.content == ISO
